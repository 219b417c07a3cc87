// Show only the fields that belong to the chosen task type. Hidden fields are disabled too,
// so that a value typed before switching type is not sent with the form.
const select = document.getElementById("type");
const method = document.getElementById("consensus_method");
function sync() {
  for (const el of document.querySelectorAll("[data-for]")) {
    const shown = el.dataset.for.split(" ").includes(select.value);
    el.hidden = !shown;
    if (el.tagName === "OPTGROUP") el.disabled = !shown;
    for (const field of el.querySelectorAll("input, select, textarea")) field.disabled = !shown;
  }
  // A method of another task type stays chosen: fall back to the type's default.
  if (method.selectedOptions[0]?.disabled || method.selectedOptions[0]?.parentElement.disabled) {
    method.value = "";
  }
}
select.addEventListener("change", sync);
sync();
