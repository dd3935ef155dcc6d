// Keyboard-first contact log: Alt+1..8 toggles a topic; the origin field keeps the focus.
document.addEventListener("keydown", (event) => {
  if (!event.altKey || event.ctrlKey || event.metaKey) return;
  const box = document.querySelector(`[data-contact-form] input[data-key="${event.key}"]`);
  if (box) {
    box.checked = !box.checked;
    event.preventDefault();
  }
});
