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
