// The check-in sliders. A slider starts "not answered" unless it has an earlier answer; moving it (mouse,
// touch or keyboard) or clicking it marks it answered, and only then is its value stored. The hidden `js`
// field tells the server that these marks are kept; without this script every slider's value is taken as
// given.
(function () {
  var flag = document.getElementById('js-flag');
  if (flag) { flag.value = '1'; }
  document.querySelectorAll('input[type="range"][data-output]').forEach(function (slider) {
    var output = document.getElementById(slider.dataset.output);
    var answered = document.getElementById(slider.dataset.answered);
    if (!output) { return; }
    var show = function () {
      if (answered && answered.value !== '1') {
        output.textContent = 'not answered';
        slider.setAttribute('aria-valuetext', 'not answered');
        return;
      }
      output.textContent = slider.value;
      slider.setAttribute('aria-valuetext', slider.value + ' out of 10');
    };
    var answer = function () {
      if (answered) { answered.value = '1'; }
      var row = slider.closest('.slider');
      if (row) { row.classList.remove('unanswered'); }
      show();
    };
    slider.addEventListener('input', answer);
    slider.addEventListener('change', answer);
    slider.addEventListener('click', answer);
    show();
  });
}());
