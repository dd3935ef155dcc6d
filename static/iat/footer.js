// Fill the footer's tourist-information block with the offices and their state now.
document.querySelectorAll("[data-iat-footer]").forEach((box) => {
  fetch(box.dataset.iatFooter, { headers: { Accept: "text/html" } })
    .then((response) => (response.ok ? response.text() : null))
    .then((html) => {
      if (html && html.includes("<li")) box.innerHTML = html;
    })
    .catch(() => {});
});
