// The "Now" page reloads itself every minute (progressive enhancement: without JavaScript the
// "Reload now" link does it). Never while someone types in a form, and it can be stopped.
(function () {
  var hint = document.getElementById("refresh");
  if (!hint) return;
  var seconds = parseInt(hint.dataset.seconds || "60", 10);
  var stopped = false;
  var stop = document.createElement("button");
  stop.type = "button";
  stop.textContent = hint.dataset.stop;
  stop.addEventListener("click", function () { stopped = true; stop.remove(); });
  hint.appendChild(document.createTextNode(" "));
  hint.appendChild(stop);
  setInterval(function () {
    var typing = document.activeElement && /INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName);
    if (!stopped && !typing && document.visibilityState === "visible") window.location.reload();
  }, seconds * 1000);
})();
