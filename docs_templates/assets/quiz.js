/* policykit quiz: draws and shuffles questions per attempt, marks the answers in the browser,
   explains each from the policy, and makes a printable certificate on a pass. No server. */
(function () {
  "use strict";
  var form = document.getElementById("pk-quiz");
  var dataNode = document.getElementById("pk-quiz-data");
  if (!form || !dataNode) return;
  var data = JSON.parse(dataNode.textContent);
  var list = form.querySelector(".pk-questions");
  var all = Array.prototype.slice.call(form.querySelectorAll(".pk-question"));
  var result = document.getElementById("pk-result");
  var announce = document.getElementById("pk-announce");
  var attempt = [];
  var lastScore = null;

  function $(id) { return document.getElementById(id); }
  function shuffle(items) {
    for (var i = items.length - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1));
      var t = items[i]; items[i] = items[j]; items[j] = t;
    }
    return items;
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function start() {
    form.reset();
    attempt = shuffle(all.slice()).slice(0, data.draw);
    all.forEach(function (q) {
      q.hidden = true; q.disabled = true;
      q.classList.remove("pk-right", "pk-wrong");
      var feedback = q.querySelector(".pk-feedback");
      feedback.hidden = true; feedback.textContent = "";
    });
    attempt.forEach(function (q, i) {
      q.hidden = false; q.disabled = false;
      list.appendChild(q);
      q.querySelector(".pk-question__number").textContent =
        "Question " + (i + 1) + " of " + attempt.length;
      var options = q.querySelector(".pk-options");
      shuffle(Array.prototype.slice.call(options.children)).forEach(function (o) {
        options.appendChild(o);
      });
    });
    form.hidden = false;
    form.querySelector("button[type=submit]").disabled = false;
    result.hidden = true;
    $("pk-certificate").hidden = true;
    $("pk-certificate-form").hidden = true;
    $("pk-name-error").textContent = "";
    document.documentElement.classList.remove("pk-certificate-ready");
    announce.textContent = "";
  }

  function mark(q) {
    var d = data.questions[q.getAttribute("data-question")];
    var chosen = Array.prototype.slice.call(q.querySelectorAll("input:checked"))
      .map(function (i) { return Number(i.value); }).sort();
    var right = chosen.length === d.correct.length &&
      chosen.every(function (c) { return d.correct.indexOf(c) >= 0; });
    var box = q.querySelector(".pk-feedback");
    box.textContent = "";
    box.appendChild(el("p", "pk-verdict " + (right ? "pk-verdict--right" : "pk-verdict--wrong"),
      right ? "✓ Correct." : (chosen.length ? "✗ Not quite." : "✗ Not answered.")));
    if (!right) {
      box.appendChild(el("p", null, "The right answer: " +
        d.correct.map(function (i) { return d.options[i]; }).join("; ") + "."));
    }
    chosen.forEach(function (i) {
      box.appendChild(el("p", null, "You chose “" + d.options[i] + "”: " + d.feedback[i]));
    });
    box.appendChild(el("p", null, "Why: " + d.explanation));
    var reread = el("p", "pk-reread", "");
    d.clauses.forEach(function (c, n) {
      if (n) reread.appendChild(document.createTextNode(" "));
      var a = el("a", null, "Re-read " + c.number);
      a.href = c.href;
      reread.appendChild(a);
    });
    box.appendChild(reread);
    box.hidden = false;
    q.classList.add(right ? "pk-right" : "pk-wrong");
    Array.prototype.forEach.call(q.querySelectorAll("input"), function (i) { i.disabled = true; });
    return right;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var right = attempt.filter(mark).length;
    var percent = Math.round((100 * right) / attempt.length);
    var passed = percent >= data.pass_mark;
    lastScore = { right: right, total: attempt.length, percent: percent };
    var summary = "You answered " + right + " of " + attempt.length + " correctly (" + percent +
      "%). The pass mark is " + data.pass_mark + "%: " +
      (passed ? "you passed." : "you did not pass this time. Read the feedback below each question, then start a new attempt.");
    $("pk-score").textContent = summary;
    $("pk-score").className = "pk-score " + (passed ? "pk-score--pass" : "pk-score--fail");
    form.querySelector("button[type=submit]").disabled = true;
    $("pk-certificate-form").hidden = !passed;
    result.hidden = false;
    form.parentNode.insertBefore(result, form);
    announce.textContent = summary;
    $("pk-result-title").focus();
  });

  $("pk-make-certificate").addEventListener("click", function () {
    var name = $("pk-name").value.trim();
    if (!name) {
      $("pk-name-error").textContent = "Type your name first.";
      $("pk-name").setAttribute("aria-invalid", "true");
      $("pk-name").focus();
      return;
    }
    $("pk-name").removeAttribute("aria-invalid");
    $("pk-name-error").textContent = "";
    $("pk-certificate-name").textContent = name;
    $("pk-certificate-date").textContent = new Date().toLocaleDateString("en-GB",
      { day: "numeric", month: "long", year: "numeric" });
    $("pk-certificate-score").textContent = lastScore.percent + "% (" + lastScore.right +
      " of " + lastScore.total + ")";
    $("pk-certificate").hidden = false;
    document.documentElement.classList.add("pk-certificate-ready");
    $("pk-certificate").focus();
  });
  $("pk-print-certificate").addEventListener("click", function () { window.print(); });
  $("pk-retake").addEventListener("click", function () {
    start();
    result.parentNode.insertBefore(form, result);
    var first = attempt[0] && attempt[0].querySelector("input");
    if (first) first.focus();
  });
  start();
})();
