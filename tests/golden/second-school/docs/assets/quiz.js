/* policykit quiz: draws and shuffles questions per attempt, marks the answers in the browser,
   explains each from the policy, and makes a printable certificate on a pass. No server.
   The attempt is kept in sessionStorage for the tab, so leaving to re-read a clause loses
   nothing. Inside an LMS (a SCORM 1.2 API in a parent or opener frame) the attempt is the
   learner's record there (cmi.suspend_data), never the tab's, and it reports the score, the
   time spent and each question's result. */
(function () {
  "use strict";
  var form = document.getElementById("pk-quiz");
  var dataNode = document.getElementById("pk-quiz-data");
  if (!form || !dataNode) return;
  var data = JSON.parse(dataNode.textContent);
  var list = form.querySelector(".pk-questions");
  var all = Array.prototype.slice.call(form.querySelectorAll(".pk-question"));
  var byId = {};
  all.forEach(function (q) { byId[q.getAttribute("data-question")] = q; });
  var result = document.getElementById("pk-result");
  var announce = document.getElementById("pk-announce");
  var unanswered = document.getElementById("pk-unanswered");
  var storeKey = "policykit-quiz:" + data.id + ":" + data.policy.version;
  var attempt = [];
  var lastScore = null;
  var lms = scormApi();

  function $(id) { return document.getElementById(id); }
  function each(nodes, fn) { Array.prototype.forEach.call(nodes, fn); }
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
  function sentence(text) {  // a full stop, unless the text already ends in punctuation
    return /[.?!:;\u2026]["'\u201d\u2019)\u00bb]*$/.test(text) ? text : text + ".";
  }
  function inside(id, section) { return data.questions[id].sections.indexOf(section) >= 0; }

  /* Every `always` question, then enough from each section for its quota (draw_per_section
     or section_draw), then at random from the rest; never more than data.draw; in random
     order (quiz_document.draw does the same in Python). */
  function draw() {
    var ids = Object.keys(byId);
    var chosen = ids.filter(function (id) { return data.questions[id].always; });
    data.quotas.forEach(function (quota) {
      var section = quota[0];
      var pool = shuffle(ids.filter(function (id) {
        return chosen.indexOf(id) < 0 && inside(id, section);
      }));
      while (pool.length && chosen.length < data.draw &&
             chosen.filter(function (id) { return inside(id, section); }).length < quota[1]) {
        chosen.push(pool.pop());
      }
    });
    var rest = shuffle(ids.filter(function (id) { return chosen.indexOf(id) < 0; }));
    while (chosen.length < data.draw && rest.length) chosen.push(rest.pop());
    return shuffle(chosen);
  }

  function show(ids, orders) {
    form.reset();
    attempt = ids.map(function (id) { return byId[id]; });
    all.forEach(function (q) {
      q.hidden = true; q.disabled = true;
      q.classList.remove("pk-right", "pk-wrong");
      each(q.querySelectorAll("input"), function (i) { i.disabled = false; });
      each(q.querySelectorAll(".pk-option__mark"), function (m) { m.parentNode.removeChild(m); });
      each(q.querySelectorAll(".pk-option"), function (o) {
        o.classList.remove("pk-option--answer", "pk-option--mistake");
      });
      var feedback = q.querySelector(".pk-feedback");
      feedback.hidden = true; feedback.textContent = "";
    });
    attempt.forEach(function (q, i) {
      q.hidden = false; q.disabled = false;
      list.appendChild(q);
      q.querySelector(".pk-question__number").textContent =
        "Question " + (i + 1) + " of " + attempt.length;
      var options = q.querySelector(".pk-options");
      var written = Array.prototype.map.call(options.children,
        function (o) { return o.querySelector("input").value; })
        .sort(function (a, b) { return a - b; });
      // true/false stays True, False: a shuffle there only confuses
      var order = orders[q.id] || (data.questions[q.id].shuffle ? shuffle(written) : written);
      order.forEach(function (value) {
        options.appendChild(q.querySelector("input[value='" + value + "']").parentNode);
      });
    });
    form.hidden = false;
    form.querySelector("button[type=submit]").disabled = false;
    result.hidden = true;
    unanswered.hidden = true;
    $("pk-certificate").hidden = true;
    $("pk-certificate-form").hidden = true;
    $("pk-critical").hidden = true;
    $("pk-name-error").textContent = "";
    document.documentElement.classList.remove("pk-certificate-ready");
    announce.textContent = "";
  }

  function start() {
    show(draw(), {});
    save(false);
  }

  function chosenIn(q) {
    return Array.prototype.slice.call(q.querySelectorAll("input:checked"))
      .map(function (i) { return Number(i.value); }).sort();
  }

  function mark(q) {
    var d = data.questions[q.getAttribute("data-question")];
    var chosen = chosenIn(q);
    var right = chosen.length === d.correct.length &&
      chosen.every(function (c) { return d.correct.indexOf(c) >= 0; });
    var box = q.querySelector(".pk-feedback");
    box.textContent = "";
    box.appendChild(el("p", "pk-verdict " + (right ? "pk-verdict--right" : "pk-verdict--wrong"),
      right ? "✓ Correct." : (chosen.length ? "✗ Not quite." : "✗ Not answered.")));
    if (!right) {
      box.appendChild(el("p", null, sentence("The right answer: " +
        d.correct.map(function (i) { return d.options[i]; }).join("; "))));
    }
    chosen.forEach(function (i) {
      box.appendChild(el("p", null, "You chose “" + d.options[i] + "”: " + d.feedback[i]));
    });
    box.appendChild(el("p", null, "Why: " + d.explanation));
    var reread = el("p", "pk-reread", "");
    rereadLinks(q.id, reread);
    box.appendChild(reread);
    box.hidden = false;
    each(q.querySelectorAll(".pk-option"), function (option) {
      var input = option.querySelector("input");
      var answer = d.correct.indexOf(Number(input.value)) >= 0;
      var text = answer ? (input.checked ? "✓ your answer, right" : "✓ the right answer")
        : (input.checked ? "✗ your answer" : "");
      if (text) {
        option.classList.add(answer ? "pk-option--answer" : "pk-option--mistake");
        option.appendChild(el("span", "pk-option__mark", text));
      }
    });
    q.classList.add(right ? "pk-right" : "pk-wrong");
    each(q.querySelectorAll("input"), function (i) { i.disabled = true; });
    return right;
  }

  /* Whether an attempt passes: the rounded percent reaches the pass mark and no critical
     question is answered wrong. The page, the certificate and the LMS report all take the
     verdict from here (quiz_document.verdict does the same in Python). results: the
     attempt's questions in order, each {id, right}. */
  function verdict(results) {
    var right = results.filter(function (r) { return r.right; }).length;
    var percent = Math.round((100 * right) / results.length);
    var critical = results.filter(function (r) {
      return !r.right && data.questions[r.id].critical;
    }).map(function (r) { return r.id; });
    return { right: right, total: results.length, percent: percent, critical: critical,
      wrong: results.filter(function (r) { return !r.right; }).map(function (r) { return r.id; }),
      asked: results.map(function (r) { return r.id; }),
      passed: percent >= data.pass_mark && !critical.length };
  }
  function summaryOf(score) {
    var failed = "you did not pass this time. Read the feedback below each question, then start a new attempt.";
    var head = "You answered " + score.right + " of " + score.total + " correctly (" +
      score.percent + "%). The pass mark is " + data.pass_mark + "%";
    if (score.passed) return head + ": you passed.";
    if (!score.critical.length) return head + ": " + failed;
    return head + ", and every critical question must be answered right. " +
      (score.critical.length === 1 ? "1 critical question was" : score.critical.length +
        " critical questions were") + " answered wrong: " + failed;
  }
  function rereadLinks(id, into) {
    data.questions[id].clauses.forEach(function (c, n) {
      if (n) into.appendChild(document.createTextNode(" "));
      if (!c.href) {  // the SCORM package: the policy is not in it, so say which one
        into.appendChild(el("span", null, "Re-read " + c.number + " of the " +
          data.policy.title + ", version " + data.policy.version + "."));
        return;
      }
      var a = el("a", null, "Re-read " + c.number);
      a.href = c.href;
      into.appendChild(a);
    });
  }
  /* The critical questions answered wrong, each with its question's number and prompt and
     the clauses to re-read. */
  function showCritical(score) {
    var items = $("pk-critical-list");
    items.textContent = "";
    score.critical.forEach(function (id) {
      var q = byId[id];
      var li = el("li");
      var link = el("a", null, q.querySelector(".pk-question__number").textContent + ": " +
        q.querySelector(".pk-question__prompt").textContent);
      link.href = "#" + id;
      li.appendChild(link);
      li.appendChild(document.createTextNode(" "));
      var reread = el("span", "pk-reread");
      rereadLinks(id, reread);
      li.appendChild(reread);
      items.appendChild(li);
    });
    $("pk-critical").hidden = !score.critical.length;
  }
  /* What the certificate says beyond the score: that every critical question asked was
     right, and which questions were answered wrong, with their clauses. */
  function certificateDetails(score) {
    var asked = score.asked.filter(function (id) { return data.questions[id].critical; });
    $("pk-certificate-critical").textContent = asked.length === 1 ?
      "The critical question asked was answered correctly." :
      "All " + asked.length + " critical questions asked were answered correctly.";
    $("pk-certificate-critical").hidden = !asked.length;
    $("pk-certificate-wrong").textContent = "Answered wrong: " + score.wrong.map(function (id) {
      return byId[id].querySelector(".pk-question__prompt").textContent + " (re-read " +
        data.questions[id].clauses.map(function (c) { return c.number; }).join(", ") + ")";
    }).join("; ");
    $("pk-certificate-wrong").hidden = !score.wrong.length;
  }

  function markAll(focus) {
    lastScore = verdict(attempt.map(function (q) { return { id: q.id, right: mark(q) }; }));
    var passed = lastScore.passed;
    var summary = summaryOf(lastScore);
    showCritical(lastScore);
    $("pk-score").textContent = summary;
    $("pk-score").className = "pk-score " + (passed ? "pk-score--pass" : "pk-score--fail");
    form.querySelector("button[type=submit]").disabled = true;
    $("pk-certificate-form").hidden = !passed;
    unanswered.hidden = true;
    result.hidden = false;
    form.parentNode.insertBefore(result, form);
    if (focus) {
      announce.textContent = summary;
      $("pk-result-title").focus();
    }
    return lastScore;
  }

  function askAboutUnanswered(missing) {
    var items = $("pk-unanswered-list");
    items.textContent = "";
    missing.forEach(function (q) {
      var li = el("li");
      var a = el("a", null, q.querySelector(".pk-question__number").textContent);
      a.href = "#" + q.id;
      a.addEventListener("click", function (event) {
        event.preventDefault();
        q.scrollIntoView();
        q.querySelector("input").focus();
      });
      li.appendChild(a);
      items.appendChild(li);
    });
    $("pk-unanswered-count").textContent = missing.length === 1 ? "1 question is" :
      missing.length + " questions are";
    unanswered.hidden = false;
    $("pk-unanswered-title").focus();
  }

  form.addEventListener("keydown", function (event) {
    // Enter on an option chooses nothing and must not send the whole quiz.
    if (event.key === "Enter" && event.target.tagName === "INPUT") event.preventDefault();
  });
  form.addEventListener("change", function () { save(false); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var missing = attempt.filter(function (q) { return !chosenIn(q).length; });
    if (missing.length && event.submitter !== $("pk-mark-anyway")) {
      askAboutUnanswered(missing);
      return;
    }
    var score = markAll(true);
    save(true);
    report(score);
  });
  $("pk-mark-anyway").addEventListener("click", function () {
    var score = markAll(true);
    save(true);
    report(score);
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
    certificateDetails(lastScore);
    $("pk-certificate").hidden = false;
    document.documentElement.classList.add("pk-certificate-ready");
    $("pk-certificate").focus();
  });
  $("pk-print-certificate").addEventListener("click", function () { window.print(); });
  $("pk-retake").addEventListener("click", function () {
    start();
    result.parentNode.insertBefore(form, result);
    attempt[0].querySelector("input").focus();
  });

  /* The attempt in sessionStorage: the questions drawn, option orders, answers, and whether
     it was marked. */
  function save(marked) {
    var state = { ids: [], orders: {}, answers: {}, marked: marked };
    attempt.forEach(function (q) {
      state.ids.push(q.id);
      state.orders[q.id] = Array.prototype.map.call(q.querySelectorAll("input"),
        function (i) { return i.value; });
      state.answers[q.id] = chosenIn(q);
    });
    if (lms) { suspend(state, marked); return; }  // the tab may pass to the next learner
    try { sessionStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }
  function stored() {
    try { return lms ? resumed() : JSON.parse(sessionStorage.getItem(storeKey) || "null"); }
    catch (e) { return null; }
  }
  function restore() {
    var state = stored();
    // an attempt of another build of the quiz (other questions, another draw) is not restored
    if (!state || !state.ids || state.ids.length !== Math.min(data.draw, all.length) ||
        !state.ids.every(function (id) { return byId[id]; })) return false;
    show(state.ids, state.orders);
    attempt.forEach(function (q) {
      (state.answers[q.id] || []).forEach(function (value) {
        var input = q.querySelector("input[value='" + value + "']");
        if (input) input.checked = true;
      });
    });
    if (state.marked) markAll(false);
    return true;
  }

  /* SCORM 1.2: the LMS's API object in a parent or opener frame (the standard search). */
  function scormApi() {
    function find(win) {
      for (var hops = 0; win && hops < 10; hops++) {
        try { if (win.API) return win.API; } catch (e) { return null; }
        if (win.parent === win) break;
        win = win.parent;
      }
      return null;
    }
    var api = find(window.parent !== window ? window.parent : null) ||
      (window.opener ? find(window.opener) : null);
    if (!api || String(api.LMSInitialize("")) !== "true") return null;
    return api;
  }
  /* In an LMS the attempt is kept in cmi.suspend_data (SCORM 1.2 holds 4,096 characters),
     the learner's own record: a learner who closes the window mid-attempt resumes it next
     time, and the next learner in the same tab starts afresh. */
  function suspend(state, marked) {
    var text = JSON.stringify({ key: storeKey, state: state });
    var fits = !marked && text.length <= 4096;
    lms.LMSSetValue("cmi.suspend_data", fits ? text : "");
    lms.LMSSetValue("cmi.core.exit", fits ? "suspend" : "");
  }
  function resumed() {
    var saved = JSON.parse(String(lms.LMSGetValue("cmi.suspend_data") || "null"));
    return saved && saved.key === storeKey ? saved.state : null;
  }
  function report(score) {
    if (!lms) return;
    var best = Number(lms.LMSGetValue("cmi.core.score.raw"));
    var before = String(lms.LMSGetValue("cmi.core.lesson_status"));
    if (before !== "passed" || score.passed) {
      lms.LMSSetValue("cmi.core.lesson_status", score.passed ? "passed" : "failed");
    }
    if (!(best > score.percent)) lms.LMSSetValue("cmi.core.score.raw", String(score.percent));
    lms.LMSSetValue("cmi.core.score.min", "0");
    lms.LMSSetValue("cmi.core.score.max", "100");
    attempt.forEach(interaction);
    lms.LMSSetValue("cmi.core.session_time", sessionTime());
    lms.LMSCommit("");
  }
  /* Each question marked, as a new cmi.interactions entry (the LMS keeps every attempt's):
     id, type, the learner's response and the right one as option letters of the written
     order (a, b, ...; t or f for true/false), the result, and the clauses as objectives (and
     "critical" after them for a critical question, so the LMS says which were wrong). */
  var LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789";
  function interaction(q) {
    var d = data.questions[q.getAttribute("data-question")];
    var texts = d.options.map(function (t) { return String(t).trim().toLowerCase(); });
    var trueFalse = !d.shuffle && texts.length === 2 && texts.indexOf("true") >= 0 &&
      texts.indexOf("false") >= 0;
    function letters(values) {
      return values.map(function (i) { return trueFalse ? texts[i].charAt(0) : LETTERS.charAt(i); })
        .sort().join(",");
    }
    var n = Number(lms.LMSGetValue("cmi.interactions._count")) || 0;
    var at = "cmi.interactions." + n + ".";
    lms.LMSSetValue(at + "id", q.getAttribute("data-question"));
    d.clauses.forEach(function (c, i) { lms.LMSSetValue(at + "objectives." + i + ".id", c.id); });
    if (d.critical) lms.LMSSetValue(at + "objectives." + d.clauses.length + ".id", "critical");
    lms.LMSSetValue(at + "time", clock(new Date()));
    lms.LMSSetValue(at + "type", trueFalse ? "true-false" : "choice");
    lms.LMSSetValue(at + "correct_responses.0.pattern", letters(d.correct));
    lms.LMSSetValue(at + "weighting", "1");
    lms.LMSSetValue(at + "student_response", letters(chosenIn(q)));
    lms.LMSSetValue(at + "result", q.classList.contains("pk-right") ? "correct" : "wrong");
  }
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function clock(date) {  // CMITime: HH:MM:SS
    return two(date.getHours()) + ":" + two(date.getMinutes()) + ":" + two(date.getSeconds());
  }
  var began = Date.now();
  function sessionTime() {  // CMITimespan: HHHH:MM:SS.SS, the time since this page opened
    var centis = Math.min(Math.round((Date.now() - began) / 10), 9999 * 360000 - 1);
    var seconds = Math.floor(centis / 100) % 60;
    return two(Math.floor(centis / 360000)) + ":" + two(Math.floor(centis / 6000) % 60) + ":" +
      two(seconds) + "." + two(centis % 100);
  }
  if (lms) {
    var learner = String(lms.LMSGetValue("cmi.core.student_name") || "");
    var parts = learner.split(",");  // SCORM 1.2 gives "Family, Given"
    var name = parts.length === 2 ? (parts[1].trim() + " " + parts[0].trim()).trim() : learner.trim();
    if (name) { $("pk-name").value = name; $("pk-name").readOnly = true; }
    if (String(lms.LMSGetValue("cmi.core.lesson_status")) === "not attempted") {
      lms.LMSSetValue("cmi.core.lesson_status", "incomplete");
    }
    var finished = false;
    var finish = function () {
      if (finished) return;
      finished = true;
      lms.LMSSetValue("cmi.core.session_time", sessionTime());
      lms.LMSFinish("");
    };
    window.addEventListener("pagehide", finish);
    window.addEventListener("beforeunload", finish);
  }

  if (!restore()) start();
})();
