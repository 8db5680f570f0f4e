// The issued-link page: copy the link, and print the hand-out (the rest of the page is hidden in print).
(function () {
  var copy = document.getElementById('copy-link');
  var status = document.getElementById('copy-status');
  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener('click', function () {
      var text = document.getElementById(copy.dataset.copy).textContent.trim();
      navigator.clipboard.writeText(text).then(function () { status.textContent = 'Link copied.'; },
        function () { status.textContent = 'Could not copy: select the link and copy it.'; });
    });
  }
  var print = document.getElementById('print-handout');
  if (print) {
    print.hidden = false;
    print.addEventListener('click', function () { window.print(); });
  }
}());
