// Loads the WebAssembly UI; a failure is shown instead of a blank window.
import init from "./earshot_ui.js";

init().catch((err) => {
  document.body.textContent = "Earshot's interface failed to load: " + err;
});
