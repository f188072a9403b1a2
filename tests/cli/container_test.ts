// The container image: built with podman from container/Dockerfile (FROM
// scratch, the rootfs of container/build_rootfs.ts), then smoke-tested. `podman
// run` cannot work in this sandbox (crun refuses setrlimit), so the test mounts
// the image (`podman image mount`), starts the image's own entrypoint in that
// root (unshare + chroot, as the image's user) and speaks LHTTP to it.

import assert from "node:assert/strict";
import { buildRootfs } from "../../container/build_rootfs.ts";
import { spawnServe } from "../harness/serve_child.ts";
import { Client } from "../harness/cluster.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const podman = await new Deno.Command("podman", {
  args: ["--version"],
  stdout: "null",
  stderr: "null",
})
  .output().then((r) => r.success, () => false);

async function run(program: string, args: string[]): Promise<string> {
  const { success, stdout, stderr } = await new Deno.Command(program, { args }).output();
  const text = new TextDecoder().decode(stdout).trim();
  if (!success) {
    throw new Error(`${program} ${args.join(" ")}: ${new TextDecoder().decode(stderr)}`);
  }
  return text;
}

Deno.test({
  name:
    "container image: podman build from scratch, then its entrypoint serves LHTTP in the image's root",
  ignore: !podman,
  async fn() {
    const context = await Deno.makeTempDir({ prefix: "lhttp-image-" });
    const tag = `localhost/lhttp-test:${Date.now()}`;
    const bytes = await buildRootfs(`${context}/rootfs`);
    await Deno.copyFile(`${ROOT}container/Dockerfile`, `${context}/Dockerfile`);
    const started = Date.now();
    await run("podman", ["build", "-q", "-t", tag, context]);
    const buildMs = Date.now() - started;
    const config = JSON.parse(await run("podman", ["image", "inspect", tag]))[0].Config as {
      Entrypoint: string[];
      Env: string[];
      User: string;
    };
    const root = await run("podman", ["image", "mount", tag]);
    console.log(
      `image ${tag}: rootfs ${(bytes / 1048576).toFixed(1)} MiB, podman build ${buildMs} ms`,
    );
    try {
      assert.equal(config.User, "65534:65534");
      const inRoot = [...config.Entrypoint, "serve", "--host", "127.0.0.1", "--port", "0"]
        .map((arg) => `'${arg}'`).join(" ");
      // A clean environment (the image's), then the image's entrypoint in its root, as its user.
      const script = `mount --rbind /dev '${root}/dev' && mount --rbind /proc '${root}/proc' && ` +
        `exec env -i ${config.Env.map((e) => `'${e}'`).join(" ")} ` +
        `chroot --userspec=${config.User} '${root}' ${inRoot}`;
      const child = await spawnServe("unshare", ["-m", "sh", "-c", script]);
      try {
        const health = await fetch(`${child.url}/healthz`);
        assert.equal(health.status, 200);
        assert.equal((await health.json()).status, "ok");
        const a = await Client.open(child.url);
        const b = await Client.open(child.url);
        await a.subscribe("smoke");
        await b.publish("smoke", "from the image");
        await a.waitForCount(1);
        assert.deepEqual(a.texts(), ["from the image"]);
        await a.close();
        await b.close();
      } finally {
        assert.equal(await child.stop(), 0, child.output());
      }
    } finally {
      await run("podman", ["image", "unmount", tag]).catch(() => {});
      await run("podman", ["rmi", "-f", tag]).catch(() => {});
      await Deno.remove(context, { recursive: true });
    }
  },
});
