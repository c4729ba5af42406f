/* policykit: the "Copy link" control of each clause copies the clause's permalink. */
(function () {
  "use strict";
  function permalink(hash) {
    return new URL(hash, window.location.href).href;
  }
  function say(button, text) {
    var original = button.getAttribute("data-pk-label") || button.textContent;
    button.setAttribute("data-pk-label", original);
    button.textContent = text;
    window.setTimeout(function () { button.textContent = original; }, 2000);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-pk-copy]") : null;
    if (!button) return;
    var url = permalink(button.getAttribute("data-pk-copy"));
    var done = function () { say(button, "Link copied"); };
    var fallback = function () {
      window.history.replaceState(null, "", button.getAttribute("data-pk-copy"));
      say(button, "Link in address bar");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(done, fallback);
    } else {
      fallback();
    }
  });
})();
