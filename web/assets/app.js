// Minimal catalog search page until the full web app lands.
const form = document.getElementById('search');
const list = document.getElementById('results');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const q = document.getElementById('q').value;
  const res = await fetch('/api/v1/procedures?q=' + encodeURIComponent(q));
  const body = await res.json();
  list.replaceChildren();
  for (const p of body.items || []) {
    const li = document.createElement('li');
    li.textContent = `${p.id} — ${p.name} (${p.processing_working_days} ${p.time_unit})`;
    list.appendChild(li);
  }
});
