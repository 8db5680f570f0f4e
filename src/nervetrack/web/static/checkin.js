// The check-in form: Enter in a text or number field moves on to the next question instead of sending the
// form (a phone's Go key would otherwise send it half-answered). The answers are always reviewed before they
// are saved, so without this script Enter leads to the review, never straight to saving.
(function () {
  var form = document.getElementById('checkin-form');
  if (!form) { return; }
  form.addEventListener('keydown', function (event) {
    var target = event.target;
    if (event.key !== 'Enter' || !target || target.tagName !== 'INPUT') { return; }
    if (target.type === 'submit' || target.type === 'button') { return; }
    event.preventDefault();
    var fields = Array.prototype.filter.call(form.elements, function (el) {
      // form.elements also lists fieldsets, which cannot take the focus
      return !el.disabled && el.type !== 'hidden' && el.tagName !== 'FIELDSET' && el.tagName !== 'OUTPUT';
    });
    var next = fields[fields.indexOf(target) + 1];
    if (next) { next.focus(); }
  });
}());
