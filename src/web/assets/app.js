// The inbox's only script: live SLA countdowns, live queue refresh over the server-sent-event feed,
// a "this case changed" notice on the case page. Every page works without it.
(function () {
  'use strict';
  var NEAR_MS = 3600000;

  function duration(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400); s -= d * 86400;
    var h = Math.floor(s / 3600); s -= h * 3600;
    var m = Math.floor(s / 60);
    return d > 0 ? d + 'd ' + h + 'h' : h > 0 ? h + 'h ' + m + 'm' : m + 'm ' + (s % 60) + 's';
  }

  function tick() {
    var cells = document.querySelectorAll('[data-deadline]');
    var now = Date.now();
    for (var i = 0; i < cells.length; i++) {
      var el = cells[i];
      var left = Date.parse(el.getAttribute('data-deadline')) - now;
      if (isNaN(left)) continue;
      el.textContent = left <= 0 ? 'breached ' + duration(-left) + ' ago' : duration(left);
      el.classList.remove('sla-ok', 'sla-near', 'sla-breached');
      el.classList.add(left <= 0 ? 'sla-breached' : left <= NEAR_MS ? 'sla-near' : 'sla-ok');
    }
  }

  function say(text) {
    var status = document.getElementById('live-status');
    if (status) status.textContent = text;
  }

  function live(onChange, onOpen) {
    if (!window.EventSource) return say('Live updates need a newer browser; reload to refresh.');
    var source = new EventSource('/app/stream');
    source.addEventListener('open', function () {
      say('Live updates on.');
      document.body.setAttribute('data-live-ready', '1');
      if (onOpen) onOpen();
    });
    source.addEventListener('error', function () { say('Live updates reconnecting…'); });
    source.addEventListener('case', function (e) {
      var change = null;
      try { change = JSON.parse(e.data); } catch { change = null; }
      if (change) onChange(change);
    });
    source.addEventListener('resync', function () { onChange(null); });
  }

  function queue(results) {
    var timer = null;
    var inFlight = false;
    var again = false;
    function refresh() {
      if (inFlight) { again = true; return; }
      inFlight = true;
      fetch('/app/queue/results' + window.location.search, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
        .then(function (res) { if (!res.ok) throw new Error('HTTP ' + res.status); return res.text(); })
        .then(function (text) {
          results.innerHTML = text;
          tick();
          say('Live updates on · refreshed ' + new Date().toLocaleTimeString());
        })
        .catch(function () { say('Live refresh failed; reload the page.'); })
        .then(function () {
          inFlight = false;
          if (again) { again = false; refresh(); }
        });
    }
    function soon() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    }
    // a change between the page's render (or a lost connection) and the feed's opening came on
    // no feed: the results are read again once it is open
    live(soon, soon);
  }

  function casePage(root) {
    var id = root.getAttribute('data-case-id');
    var notice = document.getElementById('case-changed');
    live(function (change) {
      if (notice && (!change || change.id === id)) notice.hidden = false;
    });
  }

  function noDoubleSubmit() {
    document.addEventListener('submit', function (e) {
      var buttons = e.target.querySelectorAll('button[type=submit]');
      for (var i = 0; i < buttons.length; i++) buttons[i].setAttribute('aria-busy', 'true');
      window.setTimeout(function () { for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true; }, 0);
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    tick();
    setInterval(tick, 1000);
    noDoubleSubmit();
    var results = document.getElementById('queue-results');
    if (results) queue(results);
    var root = document.querySelector('[data-live=case]');
    if (root) casePage(root);
  });
})();
