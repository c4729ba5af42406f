/* policykit: Material for MkDocs 9.8 (content.tooltips) builds each tooltip by putting an
   element's `title` into innerHTML: an abbreviation's expansion, and the text of a navigation
   or contents link too long to show, which Material copies into `title`. So text from the
   YAML such as "<img src=x onerror=...>", shown safely on the page, would run in its tooltip.
   Loaded in <head>, before Material, this makes the `title` property (the one Material reads)
   give the attribute's text escaped as HTML, so every tooltip shows the text as written.
   The attribute itself, which the browser's own tooltip and screen readers use, is unchanged. */
(function () {
  "use strict";
  var property = Object.getOwnPropertyDescriptor(HTMLElement.prototype, "title");
  if (!property || !property.get || !property.set) return;
  var given = new WeakMap();  /* element -> the escaped title last given out */
  function escape(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }
  Object.defineProperty(HTMLElement.prototype, "title", {
    configurable: true,
    enumerable: property.enumerable,
    get: function () {
      var text = property.get.call(this);
      /* Material puts back the value it read when a tooltip closes: already escaped */
      if (given.get(this) === text) return text;
      var safe = escape(text);
      given.set(this, safe);
      return safe;
    },
    set: function (value) { property.set.call(this, value); }
  });
})();
