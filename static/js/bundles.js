// While a bundle is being built, ask the server for its progress every few seconds; the
// progress lives in the database, so a reload or another tab shows the same figures.
// When it is finished (built, failed, or its worker stopped), reload once to show the outcome;
// also when the bundle is no longer the user's to see (404), so its row goes.
for (const row of document.querySelectorAll("[data-status-url]")) {
  const bar = row.querySelector("progress");
  const label = row.querySelector("[data-progress-label]");
  const timer = setInterval(async () => {
    const response = await fetch(row.dataset.statusUrl, { headers: { Accept: "application/json" } });
    if (response.status === 404) {
      clearInterval(timer);
      window.location.reload();
      return;
    }
    if (!response.ok) return;
    const bundle = await response.json();
    if (bundle.finished) {
      clearInterval(timer);
      window.location.reload();
      return;
    }
    bar.max = bundle.total || 1;
    bar.value = bundle.done;
    label.textContent = bundle.label;
  }, 2000);
}
