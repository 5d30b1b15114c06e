// Berth's signup pages work without this file; it adds the live name check and the copy buttons.
(function () {
  'use strict';
  var name = document.querySelector('#signup #name');
  if (name) {
    var error = document.getElementById('name-error');
    var timer;
    name.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (!name.value) { error.textContent = ''; name.removeAttribute('aria-invalid'); return; }
        fetch('/signup/name?value=' + encodeURIComponent(name.value), { headers: { Accept: 'application/json' } })
          .then(function (r) { return r.json(); })
          .then(function (answer) {
            error.textContent = answer.valid ? '' : answer.message;
            name.setAttribute('aria-invalid', answer.valid ? 'false' : 'true');
          })
          .catch(function () { /* the server checks again on submit */ });
      }, 250);
    });
  }
  document.querySelectorAll('button.copy').forEach(function (button) {
    button.addEventListener('click', function () {
      var text = document.getElementById(button.dataset.copy).textContent;
      var done = function () { button.textContent = 'Copied'; setTimeout(function () { button.textContent = 'Copy'; }, 2000); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done);
      } else {
        var area = document.createElement('textarea');
        area.value = text; document.body.appendChild(area); area.select();
        document.execCommand('copy'); document.body.removeChild(area); done();
      }
    });
  });
}());
