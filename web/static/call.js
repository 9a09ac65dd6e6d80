// Call page, the review workspace: clicking an utterance, an evidence link, a silence or
// anywhere on the timeline seeks the recording; the playhead and the utterance being played
// follow it; playback speed; keyboard shortcuts (never while typing in a field); the
// one-click verdict change that opens the override form, which always asks for a comment.
// Served as a file: the page's Content-Security-Policy allows no inline script or style.
(function () {
  "use strict";
  var player = document.getElementById("player");
  var timeline = document.getElementById("timeline-svg");
  var playhead = document.getElementById("playhead");
  var clockNow = document.getElementById("clock-now");
  var duration = timeline ? parseFloat(document.getElementById("timeline").dataset.duration) : NaN;
  var items = Array.prototype.slice.call(document.querySelectorAll("article.item"));
  var current = null;

  // The page's decimal sign (the server's `clock` filter uses the same): 00:41,8 in Polish.
  var decimal = document.body.getAttribute("data-decimal") || ".";

  function clock(seconds) {
    var tenths = Math.round(Math.max(0, seconds) * 10);
    var minutes = Math.floor(tenths / 600);
    var rest = ((tenths - minutes * 600) / 10).toFixed(1);
    return (minutes < 10 ? "0" : "") + minutes + ":" + (rest < 10 ? "0" : "") +
      rest.replace(".", decimal);
  }

  function seek(seconds, play) {
    if (!player || isNaN(seconds)) { return false; }
    player.currentTime = Math.max(0, seconds);
    if (play !== false) {
      var playing = player.play();
      if (playing && playing.catch) { playing.catch(function () {}); }
    }
    return true;
  }

  function toggle() {
    if (!player) { return; }
    if (player.paused) {
      var playing = player.play();
      if (playing && playing.catch) { playing.catch(function () {}); }
    } else {
      player.pause();
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-seek]");
    if (link) {
      var target = link.dataset.utterance && document.getElementById("u-" + link.dataset.utterance);
      if (target) { target.scrollIntoView({block: "center", behavior: "smooth"}); }
      if (seek(parseFloat(link.dataset.seek)) || target) { event.preventDefault(); }
      return;
    }
    var utterance = event.target.closest(".utterance");
    if (utterance && !event.target.closest("a, button, form")) {
      seek(parseFloat(utterance.dataset.start));
    }
  });

  // The timeline: wherever one clicks is that share of the call.
  if (timeline && !isNaN(duration)) {
    timeline.addEventListener("click", function (event) {
      var box = timeline.getBoundingClientRect();
      if (box.width <= 0) { return; }
      var share = Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1);
      seek(share * duration);
    });
    timeline.addEventListener("keydown", function (event) {
      if (!player) { return; }
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        seek(player.currentTime + (event.key === "ArrowRight" ? 5 : -5), false);
        event.preventDefault();
        event.stopPropagation();
      }
    });
  }

  // #t=<seconds> (a search hit): start there, and show the utterance then being said
  var at = /^#t=(\d+(?:\.\d+)?)$/.exec(window.location.hash);
  if (at) {
    var seconds = parseFloat(at[1]);
    var said = Array.prototype.slice.call(document.querySelectorAll(".utterance")).filter(
      function (u) { return parseFloat(u.dataset.start) <= seconds + 0.01; }).pop();
    if (said) { said.scrollIntoView({block: "center"}); said.classList.add("sought"); }
    if (player) {
      var go = function () { player.currentTime = seconds; };
      if (player.readyState >= 1) { go(); } else { player.addEventListener("loadedmetadata", go, {once: true}); }
    }
  }

  if (player) {
    var utterances = Array.prototype.slice.call(document.querySelectorAll(".utterance"));
    var follow = function () {
      var now = player.currentTime;
      utterances.forEach(function (u) {
        var on = now >= parseFloat(u.dataset.start) && now < parseFloat(u.dataset.end);
        u.classList.toggle("playing", on);
      });
      if (playhead && !isNaN(duration) && duration > 0) {
        var x = (Math.min(now / duration, 1) * 100).toFixed(3) + "%";
        playhead.setAttribute("x1", x);
        playhead.setAttribute("x2", x);
        timeline.setAttribute("aria-valuenow", now.toFixed(1));
        timeline.setAttribute("aria-valuetext", clock(now));
      }
      if (clockNow) { clockNow.textContent = clock(now); }
    };
    player.addEventListener("timeupdate", follow);
    player.addEventListener("seeked", follow);
  }

  var speed = document.getElementById("speed");
  if (speed && player) {
    speed.addEventListener("change", function () {
      player.playbackRate = parseFloat(speed.value);
    });
    // a new source or a reload resets the rate: keep the one chosen
    player.addEventListener("loadedmetadata", function () {
      player.playbackRate = parseFloat(speed.value);
    });
  }

  var legendToggle = document.getElementById("shortcuts-toggle");
  var legend = document.getElementById("shortcuts");
  if (legendToggle && legend) {
    legendToggle.addEventListener("click", function () {
      legend.hidden = !legend.hidden;
      legendToggle.setAttribute("aria-expanded", legend.hidden ? "false" : "true");
    });
  }

  // Items: one is current (selected by click or j/k); p or f opens its form with that verdict.
  function makeCurrent(item, scroll) {
    if (!item) { return; }
    if (current) { current.classList.remove("current"); }
    current = item;
    item.classList.add("current");
    if (scroll) {
      item.focus({preventScroll: true});
      item.scrollIntoView({block: "nearest", behavior: "smooth"});
    }
  }

  function openChange(item, verdict) {
    var box = item && item.querySelector("details.change");
    if (!box) { return; }
    makeCurrent(item, false);
    box.open = true;
    var form = box.querySelector("form");
    form.querySelector("select[name=verdict]").value = verdict;
    var comment = form.querySelector("textarea[name=comment]");
    comment.focus();
  }

  items.forEach(function (item) {
    item.addEventListener("click", function (event) {
      if (!event.target.closest("a, button, select, textarea, summary, input")) {
        makeCurrent(item, false);
      }
    });
    item.addEventListener("focusin", function () { makeCurrent(item, false); });
  });

  document.addEventListener("click", function (event) {
    var quick = event.target.closest(".quick-verdict");
    if (quick) {
      openChange(quick.closest("article.item"), quick.dataset.verdict);
      return;
    }
    var cancel = event.target.closest(".cancel-change");
    if (cancel) { cancel.closest("details.change").open = false; }
  });

  var at = document.getElementById("comment-at");
  var atNow = document.getElementById("comment-at-now");
  function pinAtPlayhead() {
    if (!at || !player) { return; }
    at.value = clock(player.currentTime);
    document.getElementById("comment-text").focus();
  }
  if (atNow) { atNow.addEventListener("click", pinAtPlayhead); }

  function typing(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape") {
      var open = document.activeElement && document.activeElement.closest("details.change");
      if (open) {
        open.open = false;
        makeCurrent(open.closest("article.item"), true);
        event.preventDefault();
      }
      return;
    }
    if (typing(event.target)) { return; }
    // Space on a focused button, link or player already does what it does there
    if (event.key === " " && event.target.closest("button, a, audio, summary")) { return; }
    var index = items.indexOf(current);
    switch (event.key) {
      case " ": toggle(); break;
      case "k": makeCurrent(items[Math.max(index - 1, 0)], true); break;
      case "ArrowLeft": case "b": if (player) { seek(player.currentTime - 5, !player.paused); } break;
      case "ArrowRight": if (player) { seek(player.currentTime + 5, !player.paused); } break;
      case "j": case "n": makeCurrent(items[Math.min(index + 1, items.length - 1)], true); break;
      case "p": case "f":
        if (!current) { makeCurrent(items[0], true); }
        openChange(current, event.key === "p" ? "passed" : "failed");
        break;
      case "c": if (atNow) { pinAtPlayhead(); } else { return; } break;
      default: return;
    }
    event.preventDefault();
  });
}());
