// Show each slider's value as it moves (the value is also shown by the server on first render).
document.querySelectorAll('input[type="range"][data-output]').forEach(function (slider) {
  var output = document.getElementById(slider.dataset.output);
  if (!output) { return; }
  var update = function () {
    output.textContent = slider.value;
    slider.setAttribute('aria-valuetext', slider.value + ' out of 10');
  };
  slider.addEventListener('input', update);
  update();
});
