"""A small W3C WebDriver client (https://www.w3.org/TR/webdriver2/) over urllib, driving Debian's
headless Chromium through chromedriver (packages chromium and chromium-driver, which scripts/dev
installs), for the page tests that must type, pick files and click: no Selenium, nothing
beyond the standard library.

    with Browser() as b:
        b.get(url); b.type("#username", "alice"); b.click("#login")
        b.wait_for("document.getElementById('who').dataset.state !== 'busy'")
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


class WebDriverError(AssertionError):
    pass


class Browser:
    def __init__(self):
        if not CHROMIUM or not CHROMEDRIVER:
            raise WebDriverError("chromium and chromedriver are needed (scripts/dev installs them)")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.profile = tempfile.mkdtemp(prefix="ggzy-chromium-")
        self.log = open(os.path.join(self.profile, "chromedriver.log"), "w+")
        self.proc = subprocess.Popen([CHROMEDRIVER, "--port=%d" % self.port], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.session = None
        deadline = time.time() + 30
        while True:
            try:
                if self._call("GET", "/status").get("ready"):
                    break
            except (OSError, WebDriverError):
                pass
            if time.time() > deadline:
                self.close()
                raise WebDriverError("chromedriver did not start")
            time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "acceptInsecureCerts": True,  # the test CA is not in the browser's store
            "goog:chromeOptions": {"binary": CHROMIUM, "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-dev-shm-usage", "--user-data-dir=" + os.path.join(self.profile, "p")]},
        }}}
        try:
            self.session = self._call("POST", "/session", caps)["sessionId"]
        except Exception:
            self.close()
            raise

    def _call(self, method, path, body=None, timeout=120):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path), data=data,
                                     method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read() or b"{}").get("value")
        except urllib.error.HTTPError as e:
            raise WebDriverError("%s %s: %s" % (method, path, e.read()[:2000].decode("utf-8", "replace")))

    def _s(self, method, path, body=None):
        return self._call(method, "/session/%s%s" % (self.session, path), body)

    def get(self, url):
        self._s("POST", "/url", {"url": url})

    def find(self, css):
        return self._s("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]

    def type(self, css, text, clear=True):
        e = self.find(css)
        if clear:
            self._s("POST", "/element/%s/clear" % e, {})
        self._s("POST", "/element/%s/value" % e, {"text": text})

    def files(self, css, paths):
        """Choose local files in an <input type=file> (several: one path per line)."""
        self._s("POST", "/element/%s/value" % self.find(css), {"text": "\n".join(paths)})

    def click(self, css):
        self._s("POST", "/element/%s/click" % self.find(css), {})

    def text(self, css):
        return self._s("GET", "/element/%s/text" % self.find(css))

    def script(self, js, *args):
        return self._s("POST", "/execute/sync", {"script": js, "args": list(args)})

    def script_async(self, js, *args):
        """js ends by calling arguments[arguments.length - 1](result)."""
        return self._s("POST", "/execute/async", {"script": js, "args": list(args)})

    def wait_for(self, js_condition, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.script("return !!(%s);" % js_condition):
                return
            time.sleep(0.1)
        raise WebDriverError("timed out waiting for: " + js_condition)

    def screenshot(self, path, width=1400, height=1000):
        """A PNG of the page as it is shown (to look at what a user sees), in a window of that
        size."""
        import base64
        self._s("POST", "/window/rect", {"width": width, "height": height})
        with open(path, "wb") as f:
            f.write(base64.b64decode(self._s("GET", "/screenshot")))

    def close(self):
        try:
            if self.session:
                self._call("DELETE", "/session/" + self.session, timeout=30)
        except (OSError, WebDriverError):
            pass
        self.session = None
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
