"""gluon.utils.download (and test_utils.download) against a local HTTP server on 127.0.0.1:
real transfers, SHA-1 checks, retries, overwrite, verify_ssl's warning, and no partial or
temporary file left behind on failure."""
import hashlib
import http.server
import threading

import minerva as mx
import pytest
from minerva.gluon.utils import check_sha1, download, replace_file

PAYLOAD = bytes(range(256)) * 300  # spans several read chunks
SHA1 = hashlib.sha1(PAYLOAD).hexdigest()


class _Handler(http.server.BaseHTTPRequestHandler):
    hits = {}
    failures_left = {}

    def do_GET(self):  # noqa: N802  (http.server's name)
        _Handler.hits[self.path] = _Handler.hits.get(self.path, 0) + 1
        if self.path.startswith("/flaky") and _Handler.failures_left.get(self.path, 0) > 0:
            _Handler.failures_left[self.path] -= 1
            self.send_error(503, "try again")
            return
        if self.path.startswith("/missing"):
            self.send_error(404, "no such file")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        self.wfile.write(PAYLOAD)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    thread.join(timeout=10)
    httpd.server_close()


def test_downloads_into_a_file_or_a_directory(server, tmp_path):
    got = download(f"{server}/data/a.bin", path=str(tmp_path / "x.bin"))
    assert got == str(tmp_path / "x.bin") and (tmp_path / "x.bin").read_bytes() == PAYLOAD
    got = download(f"{server}/data/b.bin", path=str(tmp_path))
    assert got == str(tmp_path / "b.bin") and check_sha1(got, SHA1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.bin", "x.bin"]  # no temporary files left


def test_existing_file_is_kept_unless_overwrite_or_wrong_hash(server, tmp_path):
    url = f"{server}/keep/c.bin"
    target = tmp_path / "c.bin"
    target.write_bytes(b"old")
    download(url, path=str(target))
    assert target.read_bytes() == b"old" and _Handler.hits.get("/keep/c.bin", 0) == 0
    download(url, path=str(target), sha1_hash=SHA1)  # the old content fails the hash: fetched again
    assert target.read_bytes() == PAYLOAD and _Handler.hits["/keep/c.bin"] == 1
    download(url, path=str(target), sha1_hash=SHA1)
    assert _Handler.hits["/keep/c.bin"] == 1
    download(url, path=str(target), overwrite=True)
    assert _Handler.hits["/keep/c.bin"] == 2


def test_sha1_mismatch_is_an_error_after_the_retries(server, tmp_path, capsys):
    with pytest.raises(UserWarning, match="content hash does not match"):
        download(f"{server}/bad/d.bin", path=str(tmp_path / "d.bin"), sha1_hash="0" * 40, retries=2)
    assert _Handler.hits["/bad/d.bin"] == 2
    assert "retrying, 1 attempt left" in capsys.readouterr().out


def test_retries_until_the_server_answers(server, tmp_path):
    _Handler.failures_left["/flaky/e.bin"] = 2
    download(f"{server}/flaky/e.bin", path=str(tmp_path / "e.bin"), retries=5)
    assert (tmp_path / "e.bin").read_bytes() == PAYLOAD and _Handler.hits["/flaky/e.bin"] == 3
    _Handler.failures_left["/flaky/f.bin"] = 5
    with pytest.raises(RuntimeError, match=r"Failed downloading url .*/flaky/f.bin: HTTP status 503"):
        download(f"{server}/flaky/f.bin", path=str(tmp_path / "f.bin"), retries=2)
    assert not (tmp_path / "f.bin").exists() and list(tmp_path.iterdir()) == [tmp_path / "e.bin"]


def test_bad_urls_and_arguments(server, tmp_path):
    with pytest.raises(RuntimeError, match="HTTP status 404"):
        download(f"{server}/missing/g.bin", path=str(tmp_path / "g.bin"), retries=0)
    with pytest.raises(RuntimeError, match="Failed downloading url http://127.0.0.1:1/"):
        download("http://127.0.0.1:1/h.bin", path=str(tmp_path / "h.bin"), retries=0)
    with pytest.raises(AssertionError, match="Number of retries should be at least 0"):
        download(f"{server}/data/i.bin", path=str(tmp_path / "i.bin"), retries=-1)
    with pytest.raises(AssertionError, match="Please set the `path` option"):
        download(f"{server}/data/")
    assert list(tmp_path.iterdir()) == []


def test_verify_ssl_false_warns(server, tmp_path):
    with pytest.warns(UserWarning, match="Unverified HTTPS request"):
        download(f"{server}/data/j.bin", path=str(tmp_path / "j.bin"), verify_ssl=False)


def test_test_utils_download_uses_dirname(server, tmp_path):
    got = mx.test_utils.download(f"{server}/data/k.bin", dirname=str(tmp_path / "sub"))
    assert got == str(tmp_path / "sub" / "k.bin") and check_sha1(got, SHA1)


def test_replace_file_moves_or_removes_the_source(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.write_bytes(b"new")
    dst.write_bytes(b"old")
    replace_file(str(src), str(dst))
    assert dst.read_bytes() == b"new" and not src.exists()
    src.write_bytes(b"x")
    with pytest.raises(OSError, match="Moving downloaded temp file"):
        replace_file(str(src), str(tmp_path / "no_dir" / "dst"))
    assert not src.exists()
