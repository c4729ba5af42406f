/* policykit: the site opened from a shared drive (file://). There a link to a folder shows
   the folder, not its page, so such links are pointed at the folder's index.html. On a web
   server this does nothing. (Search needs a web server: search.js says so.) */
(function () {
  "use strict";
  if (window.location.protocol !== "file:") return;
  function toPage(link) {
    var href = link.getAttribute("href");
    if (!href || href.charAt(0) === "#") return;
    var url = new URL(href, window.location.href);
    if (url.protocol !== "file:" || url.pathname.slice(-1) !== "/") return;
    url.pathname += "index.html";
    link.href = url.href;
  }
  document.querySelectorAll("a[href]").forEach(toPage);
  /* Links added later (search results) are fixed as they are followed. */
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (link) toPage(link);
  }, true);
})();
