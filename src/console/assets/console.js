// Progressive enhancement only: every page works without this file.
'use strict';

// Dead letters: "select all on this page" and the count of selected rows.
document.querySelectorAll('form[data-select-form]').forEach((form) => {
  const boxes = () => [...form.querySelectorAll('input[name="deliveryIds"]')];
  const count = form.querySelector('[data-selected-count]');
  const refresh = () => {
    if (count) count.textContent = String(boxes().filter((box) => box.checked).length);
  };
  form.querySelector('[data-select-all]')?.addEventListener('change', (event) => {
    boxes().forEach((box) => {
      box.checked = event.target.checked;
    });
    refresh();
  });
  form.addEventListener('change', refresh);
  refresh();
});

// Actions that are hard to undo ask first.
document.querySelectorAll('form[data-confirm]').forEach((form) => {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.getAttribute('data-confirm'))) event.preventDefault();
  });
});

const TONES = { completed: 'ok', running: 'info', pending: 'info', cancelled: 'muted', failed: 'bad' };

// Replays: live progress (matched / enqueued / completed) until the request ends.
document.querySelectorAll('[data-progress-url]').forEach((panel) => {
  const url = panel.getAttribute('data-progress-url');
  const tick = async () => {
    let replay;
    try {
      const response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (!response.ok) return setTimeout(tick, 3000);
      replay = await response.json();
    } catch {
      return setTimeout(tick, 3000);
    }
    for (const name of ['matched', 'enqueued', 'completed']) {
      const field = panel.querySelector(`[data-field="${name}"]`);
      if (field) field.textContent = String(replay[name]);
    }
    const status = panel.querySelector('[data-field="status"] .badge');
    if (status) {
      status.textContent = replay.status;
      status.className = `badge badge-${TONES[replay.status] || 'muted'}`;
    }
    const bar = panel.querySelector('progress');
    if (bar && replay.matched) bar.value = Math.min(100, Math.round((replay.completed / replay.matched) * 100));
    if (replay.status === 'pending' || replay.status === 'running') setTimeout(tick, 1000);
    else panel.querySelectorAll('[data-live-only]').forEach((element) => element.remove());
  };
  setTimeout(tick, 1000);
});
