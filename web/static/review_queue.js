// The "To review" queue: each entry's player holds just the item's window (the agent's
// channel of a stereo call), served by the window route; time shown is the call's.
// Keys on the current entry: P pass, F fail, space play/pause, J/K next/previous entry.
// Deciding against the machine's suggestion needs a comment (the server checks it too).
(function () {
  "use strict";
  var entries = Array.prototype.slice.call(document.querySelectorAll(".queue-entry"));
  if (!entries.length) { return; }
  var current = null;

  function makeCurrent(entry, focus) {
    if (current === entry) { return; }
    if (current) {
      current.classList.remove("current");
      var previous = player(current);
      if (previous) { previous.pause(); }
    }
    current = entry;
    entry.classList.add("current");
    if (focus) {
      entry.focus({preventScroll: true});
      entry.scrollIntoView({block: "nearest"});
    }
  }

  function player(entry) { return entry.querySelector(".window-player"); }
  function windowStart(entry) { return parseFloat(entry.dataset.start) || 0; }
  function windowLength(entry) { return parseFloat(entry.dataset.end) - windowStart(entry); }

  function toggle(entry) {
    var audio = player(entry);
    if (!audio) { return; }
    if (audio.paused) {
      if (audio.ended || audio.currentTime >= windowLength(entry)) { audio.currentTime = 0; }
      var playing = audio.play();
      if (playing && playing.catch) { playing.catch(function () {}); }
    } else {
      audio.pause();
    }
  }

  // With the page's decimal sign, as the server's `clock` filter: 00:41,8 in Polish.
  var decimal = document.body.getAttribute("data-decimal") || ".";

  function clock(seconds) {
    var tenths = Math.round(Math.max(0, seconds) * 10);
    var minutes = Math.floor(tenths / 600), rest = (tenths - minutes * 600) / 10;
    return (minutes < 10 ? "0" : "") + minutes + ":" + (rest < 10 ? "0" : "") +
      rest.toFixed(1).replace(".", decimal);
  }

  function decide(entry, verdict) {
    var form = entry.querySelector(".decide-form");
    var button = form.querySelector('button[value="' + verdict + '"]');
    if (form.requestSubmit) { form.requestSubmit(button); } else { button.click(); }
  }

  function needsComment(form, verdict) {
    var entry = form.closest(".queue-entry");
    var comment = form.querySelector(".decide-comment");
    return verdict !== entry.dataset.suggested && !comment.value.trim();
  }

  entries.forEach(function (entry) {
    var audio = player(entry);
    var form = entry.querySelector(".decide-form");
    var comment = form.querySelector(".decide-comment");
    entry.addEventListener("focusin", function () { makeCurrent(entry, false); });
    entry.addEventListener("click", function (event) {
      makeCurrent(entry, false);
      var line = event.target.closest(".window-line, .candidate");
      if (line && audio) {
        audio.currentTime = Math.max(0, parseFloat(line.dataset.start) - windowStart(entry));
        var playing = audio.play();
        if (playing && playing.catch) { playing.catch(function () {}); }
      }
    });
    form.addEventListener("submit", function (event) {
      var verdict = event.submitter ? event.submitter.value : form.dataset.verdict;
      form.dataset.verdict = verdict;
      if (needsComment(form, verdict)) {
        event.preventDefault();
        form.querySelector(".comment-needed").hidden = false;
        comment.focus();
      }
    });
    comment.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();  // Enter repeats the verdict chosen, never the first button
      if (form.dataset.verdict) { decide(entry, form.dataset.verdict); }
    });
    if (audio) {
      var shown = entry.querySelector(".window-clock");
      var lines = Array.prototype.slice.call(entry.querySelectorAll(".window-line"));
      audio.addEventListener("timeupdate", function () {
        if (audio.currentTime >= windowLength(entry)) { audio.pause(); }
        var now = windowStart(entry) + audio.currentTime;
        shown.textContent = clock(now);
        lines.forEach(function (line) {
          var on = now >= parseFloat(line.dataset.start) && now < parseFloat(line.dataset.end);
          line.classList.toggle("playing", on);
        });
      });
      audio.addEventListener("play", function () { makeCurrent(entry, false); });
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.target.closest("input, textarea, select")) { return; }
    // Space on a focused button, link or player already does what it does there
    if (event.key === " " && event.target.closest("button, a, audio")) { return; }
    var index = entries.indexOf(current);
    switch (event.key.toLowerCase()) {
      case "p": decide(current, "passed"); break;
      case "f": decide(current, "failed"); break;
      case " ": toggle(current); break;
      case "j": makeCurrent(entries[Math.min(index + 1, entries.length - 1)], true); break;
      case "k": makeCurrent(entries[Math.max(index - 1, 0)], true); break;
      default: return;
    }
    event.preventDefault();
  });

  makeCurrent(entries[0], false);
}());
