-- wrk -s wrk/post.lua: send every request as a POST with an empty body
-- (the Cookie header comes from wrk's -H flag).
wrk.method = "POST"
