"""docker-py (Debian's python3-docker) through Berth, as a tenant's own code would use it.

Run by berth.e2e.DockerPyIT against a running Berth, with:
  BERTH_DOCKER_HOST  tcp://127.0.0.1:<port> of Berth
  DOCKER_CONFIG      a directory whose config.json has HttpHeaders with the tenant's key
  BERTH_KEY          the tenant's key, for the raw sockets docker-py opens without HttpHeaders
  BERTH_DOMAIN       Berth's domain (key-in-Host: <key>.<domain>)
  BERTH_PREFIX       a prefix for every name the suite makes, unique to the run
  BERTH_REGISTRY     the local registry (127.0.0.1:5000)
The engine's own socket is read (never written) to check what Berth did on the engine.
"""

import io
import json
import os
import socket
import tarfile
import time
import unittest

import docker
from docker.errors import APIError, ImageNotFound, NotFound

HOST = os.environ["BERTH_DOCKER_HOST"]
KEY = os.environ["BERTH_KEY"]
DOMAIN = os.environ.get("BERTH_DOMAIN", "berth.localhost")
PREFIX = os.environ["BERTH_PREFIX"]
REGISTRY = os.environ.get("BERTH_REGISTRY", "127.0.0.1:5000")
ENGINE_SOCKET = "unix:///var/run/docker.sock"

_resolve = socket.getaddrinfo


def _loopback_for_berth(host, *args, **kwargs):
    """Key-in-Host names resolve to Berth on loopback, in this process only (no hosts file is changed)."""
    if isinstance(host, str) and host.endswith("." + DOMAIN):
        host = "127.0.0.1"
    return _resolve(host, *args, **kwargs)


socket.getaddrinfo = _loopback_for_berth


def client():
    """docker-py as a user configures it: DOCKER_CONFIG's HttpHeaders carry the key."""
    return docker.DockerClient(base_url=HOST, version="auto", timeout=120)


def key_in_host_client():
    """For docker-py's raw sockets (attach_socket), which are opened without HttpHeaders."""
    port = HOST.rsplit(":", 1)[1]
    return docker.DockerClient(base_url="tcp://%s.%s:%s" % (KEY, DOMAIN, port), version="auto", timeout=120)


def engine():
    return docker.DockerClient(base_url=ENGINE_SOCKET, version="auto")


def name(what):
    return "%s-%s" % (PREFIX, what)


def read_exactly(sock, frames_until):
    """Reads a raw (multiplexed) stream until the payload contains a marker or the stream ends."""
    data = b""
    deadline = time.time() + 30
    while frames_until not in data and time.time() < deadline:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def build_context(dockerfile, files=None):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for path, content in dict(files or {}, Dockerfile=dockerfile).items():
            data = content.encode()
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    out.seek(0)
    return out


def no_berth_marks(test, value, where):
    text = json.dumps(value)
    test.assertNotIn("berth.tenant", text, where)
    test.assertNotIn("berth.local/", text, where)
    test.assertNotIn("berth.image", text, where)


class Containers(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.docker = client()

    def test_run_and_read_back_as_created(self):
        self.assertEqual(self.docker.containers.run("busybox", "echo hello", remove=True), b"hello\n")
        web = self.docker.containers.run("busybox", "sleep 300", name=name("web"), detach=True,
                                         labels={"app": "web"}, mac_address="02:42:ac:11:00:99")
        try:
            attrs = self.docker.api.inspect_container(name("web"))
            self.assertEqual(attrs["Name"], "/" + name("web"))
            self.assertEqual(attrs["Config"]["Image"], "busybox", "the image as given")
            self.assertEqual(attrs["Config"]["Labels"], {"app": "web"}, "only the labels the tenant set")
            settings = attrs["NetworkSettings"]
            self.assertEqual(list(settings["Networks"]), ["bridge"])
            self.assertTrue(settings["IPAddress"], "the default network's address at the top level")
            self.assertEqual(settings["IPAddress"], settings["Networks"]["bridge"]["IPAddress"])
            self.assertTrue(settings["Gateway"])
            self.assertGreater(settings["IPPrefixLen"], 0)
            self.assertEqual(settings["MacAddress"], "02:42:ac:11:00:99")
            no_berth_marks(self, attrs, "inspect")
            listed = [c for c in self.docker.containers.list() if c.name == name("web")]
            self.assertEqual(len(listed), 1)
            self.assertEqual(listed[0].labels, {"app": "web"})
            self.assertEqual(self.docker.api.containers(filters={"name": name("web")})[0]["Image"], "busybox")
            # what the engine really holds: the tenant's mark, under the engine-side name
            real = engine().api.inspect_container(web.id)
            self.assertTrue(real["Name"].endswith("_" + name("web")))
            self.assertIn("berth.tenant", real["Config"]["Labels"])
        finally:
            web.remove(force=True)

    def test_lifecycle_logs_and_wait(self):
        c = self.docker.containers.create("busybox", ["sh", "-c", "echo out; echo err >&2; exit 3"],
                                          name=name("life"))
        try:
            c.start()
            self.assertEqual(c.wait(timeout=60)["StatusCode"], 3)
            self.assertEqual(c.logs(stdout=True, stderr=False), b"out\n")
            self.assertEqual(c.logs(stdout=False, stderr=True), b"err\n")
            c.rename(name("life2"))
            c.reload()
            self.assertEqual(c.name, name("life2"))
        finally:
            c.remove(force=True)

    def test_logs_follow(self):
        c = self.docker.containers.run("busybox", ["sh", "-c", "for i in 1 2 3; do echo line$i; sleep 0.2; done"],
                                       name=name("follow"), detach=True, log_config={"Type": "json-file"})
        try:
            lines = b"".join(c.logs(stream=True, follow=True))
            self.assertEqual(lines, b"line1\nline2\nline3\n")
        finally:
            c.remove(force=True)

    def test_none_log_driver(self):
        c = self.docker.containers.run("busybox", "echo nowhere", name=name("nolog"), detach=True,
                                       log_config={"Type": "none"})
        try:
            self.assertEqual(c.wait(timeout=60)["StatusCode"], 0)
            self.assertEqual(c.attrs["HostConfig"]["LogConfig"]["Type"], "none")
        finally:
            c.remove(force=True)

    def test_refusals_name_the_rule(self):
        with self.assertRaises(APIError) as refused:
            self.docker.containers.run("busybox", "true", privileged=True, remove=True)
        self.assertEqual(refused.exception.status_code, 403)
        self.assertIn("policy rule: privileged", str(refused.exception))
        with self.assertRaises(APIError) as host_path:
            self.docker.containers.run("busybox", "true", volumes={"/etc": {"bind": "/h"}}, remove=True)
        self.assertIn("policy rule: host-path", str(host_path.exception))

    def test_host_binds_and_named_ports_read_back_as_asked(self):
        """A bind becomes the tenant's storage and a named port binds nothing, shown as on an engine of one's own."""
        path = "/srv/%s/data" % PREFIX
        self.docker.containers.run("busybox", "sh -c 'echo kept > /d/f'", volumes={path: {"bind": "/d", "mode": "rw"}},
                                   remove=True)
        web = self.docker.containers.run("busybox", "sleep 300", name=name("bound"), detach=True,
                                         volumes=[path + ":/d:ro"], ports={"80/tcp": 18095})
        try:
            self.assertEqual(web.exec_run("cat /d/f").output, b"kept\n", "the same path is the same storage")
            web.reload()
            self.assertEqual(web.attrs["HostConfig"]["Binds"], [path + ":/d:ro"])
            self.assertEqual([(m["Type"], m["Source"], m["RW"]) for m in web.attrs["Mounts"]], [("bind", path, False)])
            self.assertEqual(web.ports, {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "18095"}]})
            on_engine = engine().api.inspect_container(web.id)
            self.assertEqual([m["Type"] for m in on_engine["Mounts"]], ["volume"], "no host path on the engine")
            self.assertIsNone(on_engine["NetworkSettings"]["Ports"].get("80/tcp"), "no host port on the engine")
        finally:
            web.remove(force=True)

    def test_missing_container_is_the_engines_not_found(self):
        with self.assertRaises(NotFound) as missing:
            self.docker.containers.get(name("nosuchthing"))
        self.assertIn("No such container: " + name("nosuchthing"), str(missing.exception))


class Exec(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.docker = client()
        cls.box = cls.docker.containers.run("busybox", "sleep 300", name=name("exec"), detach=True)

    @classmethod
    def tearDownClass(cls):
        cls.box.remove(force=True)

    def test_exec_run(self):
        # docker-py sends the container in the body too ("Container"), which the engine ignores
        result = self.box.exec_run(["sh", "-c", "echo hi; exit 4"])
        self.assertEqual(result.exit_code, 4)
        self.assertEqual(result.output, b"hi\n")
        by_name = self.docker.api.exec_create(name("exec"), "echo named")
        self.assertEqual(self.docker.api.exec_start(by_name["Id"]), b"named\n")

    def test_exec_demux_and_environment(self):
        result = self.box.exec_run(["sh", "-c", "echo $X; echo e >&2"], environment={"X": "y"}, demux=True)
        self.assertEqual(result.output, (b"y\n", b"e\n"))

    def test_exec_stream(self):
        result = self.box.exec_run(["sh", "-c", "echo a; sleep 0.2; echo b"], stream=True)
        self.assertEqual(b"".join(result.output), b"a\nb\n")

    def test_exec_raw_socket_with_stdin(self):
        # the exec's socket is opened by exec_start, which sends HttpHeaders
        exec_id = self.docker.api.exec_create(self.box.id, "cat", stdin=True)["Id"]
        sock = self.docker.api.exec_start(exec_id, socket=True)
        raw = sock._sock
        raw.sendall(b"through the socket\n")
        raw.shutdown(socket.SHUT_WR)
        data = read_exactly(raw, b"through the socket\n")
        raw.close()
        self.assertIn(b"through the socket\n", data)
        # cat has answered; the engine records its exit a moment later (ExitCode is None until then)
        deadline = time.monotonic() + 10
        while self.docker.api.exec_inspect(exec_id)["Running"] and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.docker.api.exec_inspect(exec_id)["ExitCode"], 0)

    def test_exec_naming_another_container_is_refused(self):
        answer = self.docker.api._post_json(self.docker.api._url("/containers/{0}/exec", self.box.id),
                                            data={"Container": "someone-else", "Cmd": ["true"]})
        self.assertEqual(answer.status_code, 400)
        self.assertIn("policy rule: exec-container", answer.json()["message"])


class Attach(unittest.TestCase):

    def test_attach_stream(self):
        c = client().containers.run("busybox", ["sh", "-c", "sleep 1; echo attached"], name=name("attach"),
                                    detach=True)
        try:
            out = b"".join(c.attach(stdout=True, stderr=True, stream=True, logs=True))
            self.assertEqual(out, b"attached\n")
        finally:
            c.remove(force=True)

    def test_attach_socket_with_key_in_host(self):
        # attach_socket opens its socket without config.json's HttpHeaders: the key goes in the Host
        docker_client = key_in_host_client()
        c = docker_client.containers.create("busybox", "cat", name=name("attach-sock"), stdin_open=True)
        try:
            sock = docker_client.api.attach_socket(c.id, params={"stdin": 1, "stdout": 1, "stream": 1})
            c.start()
            raw = sock._sock
            raw.sendall(b"over attach\n")
            data = read_exactly(raw, b"over attach\n")
            raw.close()
            self.assertIn(b"over attach\n", data)
        finally:
            c.remove(force=True)


class Images(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.docker = client()
        cls.made = []

    @classmethod
    def tearDownClass(cls):
        for image in cls.made:
            try:
                cls.docker.images.remove(image, force=True)
            except APIError:
                pass

    def test_push_pull_from_the_local_registry(self):
        repository = "%s/%s-pulled" % (REGISTRY, PREFIX)
        self.docker.images.get("busybox").tag(repository, "latest")
        self.made.append(repository + ":latest")
        for line in self.docker.images.push(repository, tag="latest", stream=True, decode=True):
            self.assertNotIn("error", line)
        self.docker.images.remove(repository + ":latest")
        with self.assertRaises(ImageNotFound):
            self.docker.images.get(repository + ":latest")
        pulled = self.docker.images.pull(repository, tag="latest")
        self.assertIn(repository + ":latest", pulled.tags)
        for given in (repository + ":latest", repository):
            c = self.docker.containers.create(given, "true", name=name("from-pulled"))
            try:
                self.assertEqual(self.docker.api.inspect_container(c.id)["Config"]["Image"], given,
                                 "read back as given")
            finally:
                c.remove()

    def build(self, tag, dockerfile, **kwargs):
        image, log = self.docker.images.build(fileobj=build_context(dockerfile, {"greeting.txt": "hello\n"}),
                                              custom_context=True, tag=tag, rm=True, **kwargs)
        self.made.append(tag)
        return image, list(log)

    def test_build_plain_and_gzip(self):
        plain, _ = self.build(name("built") + ":plain", "FROM busybox\nCOPY greeting.txt /\nLABEL app=built\n")
        self.assertIn(name("built") + ":plain", plain.tags)
        self.assertEqual(plain.labels, {"app": "built"})
        zipped, _ = self.build(name("built") + ":gzip", "FROM busybox\nCOPY greeting.txt /\nCMD cat /greeting.txt\n",
                               encoding="gzip")
        self.assertEqual(self.docker.containers.run(zipped.id, remove=True), b"hello\n")
        # with cache_from naming the tenant's own image: the build uses its layers
        cached, log = self.build(name("built") + ":cached", "FROM busybox\nCOPY greeting.txt /\nLABEL app=built\n",
                                 cache_from=[name("built") + ":plain"])
        self.assertEqual(cached.id, plain.id, "built from the cache of the image named in cache_from")
        self.assertTrue(any("Using cache" in line.get("stream", "") for line in log), log)

    def test_commit_tag_save_load(self):
        c = self.docker.containers.run("busybox", ["sh", "-c", "echo made > /made"], name=name("commit"),
                                       detach=True)
        try:
            c.wait(timeout=60)
            image = c.commit(repository=name("committed"), tag="1", changes=["LABEL committed=yes"])
            self.made.append(name("committed") + ":1")
        finally:
            c.remove()
        attrs = self.docker.api.inspect_image(name("committed") + ":1")
        self.assertEqual(attrs["Config"]["Image"], "busybox")
        self.assertEqual(attrs["Config"]["Labels"], {"committed": "yes"})
        no_berth_marks(self, attrs, "committed image")
        image.tag(name("committed"), "2")
        self.made.append(name("committed") + ":2")
        self.assertIn(name("committed") + ":2", self.docker.images.get(image.id).tags)
        saved = b"".join(self.docker.images.get(name("committed") + ":2").save(named=name("committed") + ":2"))
        self.docker.images.remove(name("committed") + ":2")
        loaded = self.docker.images.load(saved)
        self.assertEqual([i.id for i in loaded], [image.id])
        self.assertIn(name("committed") + ":2", self.docker.images.get(image.id).tags)
        self.assertEqual(self.docker.containers.run(name("committed") + ":2", "cat /made", remove=True), b"made\n")
        listed = [i for i in self.docker.images.list() if name("committed") + ":1" in i.tags]
        self.assertEqual(len(listed), 1)
        no_berth_marks(self, listed[0].attrs, "image list")


class Volumes(unittest.TestCase):

    def test_volume_labels_and_use(self):
        docker_client = client()
        volume = docker_client.volumes.create(name("data"), labels={"tier": "db"})
        try:
            self.assertEqual(volume.name, name("data"))
            self.assertEqual(volume.attrs["Labels"], {"tier": "db"})
            self.assertEqual(docker_client.volumes.get(name("data")).attrs["Labels"], {"tier": "db"})
            listed = [v for v in docker_client.volumes.list() if v.name == name("data")]
            self.assertEqual(listed[0].attrs["Labels"], {"tier": "db"})
            docker_client.containers.run("busybox", "sh -c 'echo kept > /d/f'", volumes={name("data"): {"bind": "/d"}},
                                         remove=True)
            self.assertEqual(docker_client.containers.run("busybox", "cat /d/f", volumes=[name("data") + ":/d:ro"],
                                                          remove=True), b"kept\n")
        finally:
            volume.remove(force=True)


class Networks(unittest.TestCase):

    def test_network_labels_aliases_and_links(self):
        docker_client = client()
        net = docker_client.networks.create(name("net"), labels={"tier": "back"})
        containers = []
        try:
            self.assertEqual(docker_client.networks.get(net.id).attrs["Labels"], {"tier": "back"})
            listed = [n for n in docker_client.networks.list(names=[name("net")]) if n.name == name("net")]
            self.assertEqual(listed[0].attrs["Labels"], {"tier": "back"})
            # network= sends NetworkingConfig {"<net>": null}, which the engine ignores
            db = docker_client.containers.run("busybox", "sleep 300", name=name("db"), detach=True, network=name("net"))
            containers.append(db)
            db.reload()
            self.assertEqual(list(db.attrs["NetworkSettings"]["Networks"]), [name("net")])
            app = docker_client.containers.create("busybox", "sleep 300", name=name("app"))
            containers.append(app)
            net.connect(app, aliases=["frontend"], links=[(name("db"), "database")])
            app.start()
            self.assertEqual(app.exec_run("ping -c 1 -W 5 database").exit_code, 0, "a link's alias resolves")
            self.assertEqual(app.exec_run("ping -c 1 -W 5 " + name("db")).exit_code, 0, "a neighbour's name resolves")
            self.assertEqual(db.exec_run("ping -c 1 -W 5 frontend").exit_code, 0, "an alias resolves")
            # a create with links in its endpoint settings
            linked = docker_client.api.create_container(
                "busybox", "sleep 300", name=name("linked"),
                host_config=docker_client.api.create_host_config(network_mode=name("net")),
                networking_config=docker_client.api.create_networking_config({
                    name("net"): docker_client.api.create_endpoint_config(links=[(name("db"), "store")])}))
            linked = docker_client.containers.get(linked["Id"])
            containers.append(linked)
            linked.start()
            self.assertEqual(linked.exec_run("ping -c 1 -W 5 store").exit_code, 0)
            net.reload()
            self.assertEqual(sorted(c.name for c in net.containers), sorted([name("db"), name("app"), name("linked")]))
            no_berth_marks(self, net.attrs, "network inspect")
        finally:
            for c in containers:
                c.remove(force=True)
            net.remove()

    def test_legacy_links_on_the_default_network(self):
        docker_client = client()
        target = docker_client.containers.run("busybox", "sleep 300", name=name("target"), detach=True)
        try:
            out = docker_client.containers.run("busybox", "ping -c 1 -W 5 legacy", links={name("target"): "legacy"},
                                               remove=True)
            self.assertIn(b"1 packets received", out)
        finally:
            target.remove(force=True)

    def test_chosen_subnets_are_refused_by_rule(self):
        ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet="10.99.0.0/24")])
        with self.assertRaises(APIError) as refused:
            client().networks.create(name("subnet"), ipam=ipam)
        self.assertIn("policy rule: network-subnet", str(refused.exception))


class Events(unittest.TestCase):

    def test_events_in_the_tenants_names_without_berths_labels(self):
        docker_client = client()
        since = int(time.time()) - 1
        c = docker_client.containers.run("busybox", "true", name=name("events"), detach=True, labels={"app": "ev"})
        c.wait(timeout=60)
        c.remove()
        until = int(time.time()) + 1
        events = list(docker_client.events(since=since, until=until, decode=True,
                                           filters={"type": "container", "container": name("events")}))
        actions = [e["Action"] for e in events]
        for action in ("create", "start", "die", "destroy"):
            self.assertIn(action, actions)
        for event in events:
            attributes = event["Actor"]["Attributes"]
            self.assertEqual(attributes["name"], name("events"))
            self.assertEqual(attributes["image"], "busybox")
            self.assertEqual(attributes["app"], "ev")
            no_berth_marks(self, event, "event")


class EngineWithoutSwarmOrPlugins(unittest.TestCase):

    def test_swarm_probes_and_leave_answer_as_outside_a_swarm(self):
        docker_client = client()
        self.assertTrue(docker_client.api.leave_swarm(force=True), "503 not part of a swarm, which docker-py ignores")
        with self.assertRaises(APIError) as inspect:
            docker_client.api.inspect_swarm()
        self.assertEqual(inspect.exception.status_code, 503)
        self.assertIn("This node is not a swarm manager", str(inspect.exception))
        with self.assertRaises(APIError) as init:
            docker_client.swarm.init()
        self.assertEqual(init.exception.status_code, 403)
        self.assertIn("policy rule: endpoint", str(init.exception))

    def test_no_plugins_installed(self):
        docker_client = client()
        self.assertEqual(docker_client.plugins.list(), [])
        with self.assertRaises(NotFound):
            docker_client.plugins.get("vieux/sshfs:latest")
        with self.assertRaises(APIError) as install:
            docker_client.api.pull_plugin("vieux/sshfs", [])
        self.assertIn("policy rule: endpoint", str(install.exception))


if __name__ == "__main__":
    unittest.main()
