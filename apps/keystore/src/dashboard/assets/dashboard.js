// The dashboard's only script: copy buttons and leaving the shown-once key page out of history.
(function () {
  'use strict';

  // The key page is a POST's answer; replace its history entry so a reload or Back shows the list, never the key again.
  var reveal = document.querySelector('[data-replace-url]');
  if (reveal && window.history && window.history.replaceState) {
    window.history.replaceState(null, '', reveal.getAttribute('data-replace-url'));
  }

  function select(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  document.addEventListener('click', function (event) {
    var button = event.target.closest('[data-copy]');
    if (!button) return;
    var source = document.getElementById(button.getAttribute('data-copy'));
    var status = document.getElementById('copy-status');
    if (!source) return;
    var say = function (text) {
      if (status) status.textContent = text;
    };
    var text = source.textContent.trim();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () {
          button.textContent = 'Copied';
          say('Copied to the clipboard.');
          setTimeout(function () {
            button.textContent = 'Copy';
          }, 2000);
        },
        function () {
          select(source);
          say('Press Ctrl+C (or ⌘C) to copy the selected key.');
        },
      );
    } else {
      select(source);
      say('Press Ctrl+C (or ⌘C) to copy the selected key.');
    }
  });

  // The custom grace field only matters when "Custom" is chosen.
  var grace = document.querySelectorAll('input[name="grace"]');
  var custom = document.querySelector('.custom-grace');
  function syncGrace() {
    if (!custom) return;
    var chosen = document.querySelector('input[name="grace"]:checked');
    custom.hidden = !(chosen && chosen.value === 'custom');
  }
  grace.forEach(function (input) {
    input.addEventListener('change', syncGrace);
  });
  syncGrace();
})();
