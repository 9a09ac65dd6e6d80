// Call page: clicking an utterance, an evidence link or a silence seeks the recording;
// the utterance being played is marked.
(function () {
  "use strict";
  var player = document.getElementById("player");

  function seek(seconds) {
    if (!player || isNaN(seconds)) { return false; }
    player.currentTime = seconds;
    var playing = player.play();
    if (playing && playing.catch) { playing.catch(function () {}); }
    return true;
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
    player.addEventListener("timeupdate", function () {
      var now = player.currentTime;
      utterances.forEach(function (u) {
        var on = now >= parseFloat(u.dataset.start) && now < parseFloat(u.dataset.end);
        u.classList.toggle("playing", on);
      });
    });
  }
}());
