// The cart's countdown: the page already says until when the places are held; this shows
// the minutes and seconds left and, at zero, says the cart expired (no request is made).
(function () {
  var box = document.querySelector("[data-cart-timer]");
  if (!box) return;
  var left = parseInt(box.dataset.seconds, 10);
  var clock = box.querySelector(".cart-countdown");
  var deadline = Date.now() + left * 1000;
  box.querySelector(".cart-timer-left").hidden = true;
  box.querySelector(".cart-countdown-box").hidden = false;
  function tick() {
    var seconds = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var m = Math.floor(seconds / 60), s = seconds % 60;
    clock.textContent = m + ":" + (s < 10 ? "0" : "") + s;
    if (seconds === 0) {
      box.textContent = box.dataset.expiredText;
      box.classList.remove("message-warning");
      box.classList.add("message-error");
      box.setAttribute("role", "alert");
      document.querySelectorAll("[data-needs-hold]").forEach(function (el) {
        el.setAttribute("disabled", "disabled");
        el.setAttribute("aria-disabled", "true");
      });
      return;
    }
    window.setTimeout(tick, 1000);
  }
  tick();
})();
