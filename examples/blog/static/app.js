// The tutorial's fetch example: read the csrftoken cookie and send it in
// the X-CSRFToken header with every unsafe request.
function getCookie(name) {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

document.querySelectorAll('[data-api-post]').forEach((button) => {
  button.addEventListener('click', async () => {
    const headers = { 'Content-Type': 'application/json' };
    if (button.dataset.apiPost === 'with-token') {
      headers['X-CSRFToken'] = getCookie('csrftoken');
    }
    const title = document.getElementById('api-title').value;
    const out = document.getElementById('api-result');
    const res = await fetch('/api/posts', {
      method: 'POST',
      headers,
      body: JSON.stringify({ title, body: 'Sent from the page with fetch.' }),
      credentials: 'same-origin',
    });
    out.textContent = res.status + ' ' + (await res.text()).trim();
    out.dataset.status = String(res.status);
  });
});

// htmx (static/htmx.min.js): forms with hx-post send the CSRF token in
// the header the body's hx-headers names, and still work as plain forms
// without JavaScript. A response to an htmx request carries the flash
// messages its fragment did not show in HX-Trigger (messages.Manager's
// HTMX option): htmx fires a "messages" event with them, shown here as
// toasts. A CSRF refusal fires "csrf-failure" with its reason.
const levelTags = { 10: 'debug', 20: 'info', 25: 'success', 30: 'warning', 40: 'error' };

function toast(text, level, tags) {
  const div = document.createElement('div');
  div.className = 'toast message message--' + (levelTags[level] || 'info') + (tags ? ' ' + tags : '');
  div.textContent = text; // text, never markup
  div.addEventListener('click', () => div.remove());
  document.getElementById('toasts').append(div);
  setTimeout(() => div.remove(), 10000);
}

document.body.addEventListener('messages', (e) => {
  for (const m of e.detail.value) toast(m.text, m.level, m.tags);
});
document.body.addEventListener('csrf-failure', (e) => {
  toast('Refused: ' + e.detail.reason, 40, 'csrf');
});
