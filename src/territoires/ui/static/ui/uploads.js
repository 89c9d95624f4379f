// Resumable uploads (server side: territoires/core/uploads.py, the tus 1.0 core protocol).
//
// A form with <input type="file" data-upload-purpose> is not sent with its files: on submit,
// each file goes first in pieces to data-upload-url. After a cut, the script waits, asks the
// server how much arrived (HEAD) and sends the rest; the upload's address is kept in
// localStorage under the file's name, size and date, so choosing the same file again after a
// reload resumes it too. Once every file is there, their ids go into the hidden field named by
// data-upload-field, the file input is emptied and the form is sent. Messages are French text
// from the server (data-msg-* attributes, gettext).
(function () {
  "use strict";
  var MAX_RETRIES = 8;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  function base64(text) {
    return btoa(unescape(encodeURIComponent(text)));
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function request(method, url, headers, body) {
    headers = Object.assign({"Tus-Resumable": "1.0.0", "X-CSRFToken": csrfToken()}, headers || {});
    return fetch(url, {method: method, headers: headers, body: body, credentials: "same-origin", cache: "no-store"});
  }

  function Refused(message) { this.message = message; }

  async function refusal(response) {
    return new Refused((await response.text()) || response.statusText);
  }

  // The offset the server holds for `url`, or null when it no longer knows it.
  async function serverOffset(url) {
    var response = await request("HEAD", url);
    return response.ok ? parseInt(response.headers.get("Upload-Offset"), 10) : null;
  }

  async function create(input, file) {
    var metadata = ["filename " + base64(file.name), "filetype " + base64(file.type || "application/octet-stream"),
                    "purpose " + base64(input.dataset.uploadPurpose)].join(",");
    var response = await request("POST", input.dataset.uploadUrl,
                                 {"Upload-Length": String(file.size), "Upload-Metadata": metadata});
    if (response.status !== 201) { throw await refusal(response); }
    return response.headers.get("Location");
  }

  async function send(input, file, say) {
    var key = "territoires-upload:" + [input.dataset.uploadPurpose, file.name, file.size, file.lastModified].join(":");
    var url = localStorage.getItem(key);
    var offset = url ? await serverOffset(url) : null;
    if (offset === null) {
      url = await create(input, file);
      localStorage.setItem(key, url);
      offset = 0;
    }
    var chunk = parseInt(input.dataset.chunkBytes, 10) || 4194304;
    var retries = 0;
    while (offset < file.size) {
      say(format(input.dataset.msgProgress, {name: file.name, percent: Math.floor(offset * 100 / file.size)}));
      var response = null;
      try {
        response = await request("PATCH", url, {"Content-Type": "application/offset+octet-stream",
                                                "Upload-Offset": String(offset)},
                                 file.slice(offset, offset + chunk));
      } catch (networkError) {
        response = null;
      }
      if (response && response.status === 204) {
        offset = parseInt(response.headers.get("Upload-Offset"), 10);
        retries = 0;
        continue;
      }
      if (response && response.status === 409 && response.headers.get("Upload-Offset")) {
        offset = parseInt(response.headers.get("Upload-Offset"), 10);  // the server is ahead or behind: follow it
        continue;
      }
      if (response && response.status < 500 && response.status !== 400) { throw await refusal(response); }
      retries += 1;
      if (retries > MAX_RETRIES) {
        throw new Refused(format(input.dataset.msgFailed, {name: file.name}));
      }
      var seconds = Math.min(Math.pow(2, retries - 1), 30);
      say(format(input.dataset.msgRetry, {seconds: seconds}));
      await sleep(seconds * 1000);
      var known = null;
      try { known = await serverOffset(url); } catch (stillDown) { known = null; }
      if (known !== null) { offset = known; }
    }
    localStorage.removeItem(key);
    return url.replace(/\/$/, "").split("/").pop();
  }

  document.addEventListener("submit", async function (event) {
    var form = event.target;
    var input = form.querySelector("input[type=file][data-upload-purpose]");
    if (!input || !input.files.length || !window.fetch || form.dataset.uploading) { return; }
    event.preventDefault();
    form.dataset.uploading = "1";
    var status = form.querySelector('[data-upload-status="' + input.name + '"]');
    var say = function (text) { if (status) { status.textContent = text; } };
    var ids = [];
    try {
      for (var i = 0; i < input.files.length; i += 1) {
        ids.push(await send(input, input.files[i], say));
      }
    } catch (error) {
      say(error instanceof Refused ? error.message : format(input.dataset.msgFailed, {name: ""}));
      delete form.dataset.uploading;
      return;
    }
    say(input.dataset.msgDone);
    var hidden = form.querySelector('input[name="' + input.dataset.uploadField + '"]');
    hidden.value = ids.join(",");
    input.value = "";
    form.submit();
  });
})();
