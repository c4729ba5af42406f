/* policykit: Material's search box, answered from Pagefind's chunked index (pagefind/), which
   the build writes. A query fetches only the index chunks it needs, so the first result comes
   as quickly for a trust's thousand policies as for one school's ten. Results use Material's
   own result markup; each clause hit links to the clause's permalink. On the page a result
   opens, the words searched for are highlighted. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-pk-search]");
  var config = document.getElementById("__config");
  if (!config) return;
  var settings = JSON.parse(config.textContent);
  var root = new URL(settings.base.replace(/\/?$/, "/"), window.location.href);
  var words = settings.translations || {};
  var MAX_PAGES = 10;
  var MAX_CLAUSES = 5;

  highlight();
  if (!form) return;
  var box = form.closest(".md-search");
  var input = form.querySelector(".md-search__input");
  var toggle = document.getElementById("__search");
  var meta = box.querySelector(".md-search-result__meta");
  var list = box.querySelector(".md-search-result__list");
  var engine = null;

  function pagefind() {
    if (!engine) {
      engine = import(new URL("pagefind/pagefind.js", root).href).then(function (module) {
        return module.options({ baseUrl: root.pathname, excerptLength: 24,
                                highlightParam: "highlight" })
          .then(function () { return module.init(); })  /* starts fetching the index */
          .then(function () { return module; });
      });
    }
    return engine;
  }

  function say(key, count) {
    meta.textContent = (words[key] || "").replace("#", String(count));
  }

  /* Pagefind's excerpt marks the words found with <mark>; keep those and only text. */
  function excerpt(html) {
    var p = document.createElement("p");
    var parsed = new DOMParser().parseFromString("<body>" + html, "text/html").body;
    parsed.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        p.appendChild(mark);
      } else {
        p.appendChild(document.createTextNode(node.textContent));
      }
    });
    return p;
  }

  function link(url, heading, level, text, icon) {
    var a = document.createElement("a");
    a.href = url;
    a.className = "md-search-result__link";
    a.tabIndex = -1;
    var article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    if (icon) {
      var div = document.createElement("div");
      div.className = "md-search-result__icon md-icon";
      article.appendChild(div);
    }
    var h = document.createElement(level);
    h.textContent = heading;
    article.appendChild(h);
    article.appendChild(excerpt(text));
    a.appendChild(article);
    return a;
  }

  /* A page's result lands on its best clause, as the clause results under it do: the words
     found may stand thousands of pixels below the top of a policy. Enter opens it. */
  function item(page) {
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    var clauses = page.sub_results.filter(function (sub) { return sub.url.indexOf("#") > 0; })
      .map(function (sub, at) { return { sub: sub, at: at, score: score(sub) }; })
      .sort(function (a, b) { return b.score - a.score || a.at - b.at; })
      .map(function (ranked) { return ranked.sub; });
    var url = clauses.length ? clauses[0].url : page.url;
    li.appendChild(link(url, page.meta.title || page.url, "h1", page.excerpt, true));
    clauses.slice(0, MAX_CLAUSES).forEach(function (sub) {
      li.appendChild(link(sub.url, sub.title, "h2", sub.excerpt, false));
    });
    return li;
  }

  /* Clauses that match more of the words, and match them better, come first. */
  function score(sub) {
    return (sub.weighted_locations || []).reduce(function (sum, location) {
      return sum + location.balanced_score;
    }, 0);
  }

  /* One search at a time, and then only the latest query: typing fast never queues a
     backlog of searches for words already gone. */
  var running = false;
  var pending = null;

  function search(query) {
    pending = query;
    if (!running) next();
    else if (engine && query.trim()) {  /* fetch its part of the index while the last runs */
      engine.then(function (module) { return module.preload(query); }).catch(function () {});
    }
  }

  function next() {
    if (pending === null) return;
    var query = pending;
    pending = null;
    running = true;
    show(query).then(function () { running = false; next(); });
  }

  function show(query) {
    if (!query.trim()) {
      list.replaceChildren();
      say("search.result.placeholder");
      return Promise.resolve();
    }
    return pagefind().then(function (module) {
      return module.search(query);
    }).then(function (found) {
      if (pending !== null) return null;  // the query changed meanwhile: show the newer one
      var n = found.results.length;
      var shown = 0;
      function put(page) {  /* each result as soon as it and those before it have come */
        if (pending !== null || page === null) return;  /* null: its data did not come */
        if (shown++ === 0) {
          say(n === 1 ? "search.result.one" : "search.result.other", n);
          list.replaceChildren();
        }
        list.appendChild(item(page));
      }
      if (n === 0) {
        say("search.result.none");
        list.replaceChildren();
        return null;
      }
      return found.results.slice(0, MAX_PAGES)
        .map(function (r) { return r.data().catch(function () { return null; }); })
        .reduce(function (before, data) {
          return before.then(function () { return data; }).then(put);
        }, Promise.resolve())
        .then(function () {
          if (shown === 0 && pending === null) {
            throw new Error("the results could not be loaded");
          }
        });
    }).catch(function (error) {
      list.replaceChildren();
      meta.textContent = window.location.protocol === "file:"
        ? "Search needs the site on a web server: opened from a folder or shared drive " +
          "(file://), every page and link works, but not search."
        : "Search is unavailable: " + error.message;
    });
  }

  function open(state) {
    toggle.checked = state;
    if (!state) input.blur();
  }

  function results() {
    return Array.prototype.slice.call(list.querySelectorAll(".md-search-result__link"));
  }

  input.addEventListener("focus", function () { open(true); pagefind(); });
  input.addEventListener("input", function () { search(input.value); });
  toggle.addEventListener("change", function () { if (toggle.checked) input.focus(); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var first = results()[0];
    if (first) first.click();
  });
  form.addEventListener("reset", function () {
    window.setTimeout(function () { search(""); input.focus(); });
  });
  list.addEventListener("click", function () { open(false); });
  box.addEventListener("focusout", function () {
    window.setTimeout(function () {
      if (!box.contains(document.activeElement)) toggle.checked = false;
    }, 200);
  });
  box.addEventListener("keydown", function (event) {
    var links = results();
    var at = links.indexOf(document.activeElement);
    if (event.key === "Escape") {
      open(false);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      var next = at + (event.key === "ArrowDown" ? 1 : -1);
      if (next < 0) input.focus();
      else if (links[Math.min(next, links.length - 1)]) links[Math.min(next, links.length - 1)].focus();
    } else {
      return;
    }
    event.preventDefault();
  });
  /* As in Material: "/", "s" or "f" anywhere outside a field starts a search. */
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || target.isContentEditable ||
        /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || "/sf".indexOf(event.key) < 0) return;
    event.preventDefault();
    input.focus();
    input.select();
  });
  say("search.result.placeholder");

  function highlight() {
    if (!new URLSearchParams(window.location.search).has("highlight")) return;
    import(new URL("pagefind/pagefind-highlight.js", root).href).then(function () {
      /* global PagefindHighlight */
      new PagefindHighlight({ highlightParam: "highlight" });
    }).catch(function () { /* highlighting is a nicety; the page stands without it */ });
  }
})();
