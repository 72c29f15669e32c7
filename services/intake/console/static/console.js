// The console's only script; every page works without it. It refreshes parts of a page from the server's
// own HTML fragments: the inbox list (data-refresh, every data-every ms) and the unit picker's choices as
// one types (data-fragment into the element whose id is data-target).
"use strict";

async function fragment(url) {
  const answer = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
  return answer.ok && !answer.redirected ? answer.text() : null;
}

document.querySelectorAll("[data-refresh]").forEach((box) => {
  const every = Number(box.dataset.every) || 5000;
  setInterval(async () => {
    const html = await fragment(box.dataset.refresh).catch(() => null);
    if (html !== null) box.innerHTML = html;
  }, every);
});

document.querySelectorAll("[data-fragment]").forEach((input) => {
  const target = document.getElementById(input.dataset.target);
  let timer = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const url = `${input.dataset.fragment}?q=${encodeURIComponent(input.value)}`;
      const html = await fragment(url).catch(() => null);
      if (html !== null && target) target.innerHTML = html;
    }, 250);
  });
});
