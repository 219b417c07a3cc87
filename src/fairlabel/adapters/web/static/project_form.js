// Show only the schema fields that belong to the chosen task type.
const select = document.getElementById("type");
function sync() {
  for (const el of document.querySelectorAll("[data-for]")) {
    el.hidden = !el.dataset.for.split(" ").includes(select.value);
  }
}
select.addEventListener("change", sync);
sync();
