// The new-project form. Shows only the fields that belong to the chosen task type; hidden
// fields are disabled too, so that a value typed before switching type is not sent with the
// form (without this script every field is shown and the server reads only the chosen
// type's). After a refused submission, the list of problems takes the focus so that it is read
// first.
const select = document.getElementById("f-type");
const method = document.getElementById("f-consensus_method");
function sync() {
  for (const el of document.querySelectorAll("#new-project [data-for]")) {
    const shown = el.dataset.for.split(" ").includes(select.value);
    el.hidden = !shown;
    if (el.tagName === "OPTGROUP") el.disabled = !shown;
    for (const field of el.querySelectorAll("input, select, textarea")) field.disabled = !shown;
  }
  // A method of another task type stays chosen: fall back to the type's default.
  const chosen = method.selectedOptions[0];
  if (chosen?.disabled || chosen?.parentElement.disabled) method.value = "";
}
select.addEventListener("change", sync);
sync();
document.getElementById("form-problems")?.focus();
