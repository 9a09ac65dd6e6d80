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
