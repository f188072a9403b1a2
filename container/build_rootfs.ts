// Builds the root filesystem the container image copies (`FROM scratch`):
// the Deno binary and the libraries it links, CA certificates, and lhttp's
// CLI bundled into one file. No registry serves base images here, so the
// image is made from what this machine has.
//
//   deno run -A container/build_rootfs.ts [OUT]   (default container/rootfs)
//   podman build -t lhttp -f container/Dockerfile container

const ROOT = new URL("../", import.meta.url).pathname;

/** Builds the root filesystem in `out`; returns its size in bytes. */
export async function buildRootfs(out: string): Promise<number> {
  await Deno.remove(out, { recursive: true }).catch(() => {});
  for (const dir of ["usr/bin", "app", "tmp", "dev", "proc", "etc/ssl/certs"]) {
    await Deno.mkdir(`${out}/${dir}`, { recursive: true });
  }
  await Deno.chmod(`${out}/tmp`, 0o1777);
  const deno = await Deno.realPath(Deno.execPath());
  await Deno.copyFile(deno, `${out}/usr/bin/deno`);
  await Deno.chmod(`${out}/usr/bin/deno`, 0o755);
  const ldd = await new Deno.Command("ldd", { args: [deno], stdout: "piped" }).output();
  for (const lib of new TextDecoder().decode(ldd.stdout).matchAll(/(\/\S+)/g)) {
    const path = lib[1];
    await Deno.mkdir(`${out}${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
    await Deno.copyFile(await Deno.realPath(path), `${out}${path}`);
  }
  await Deno.copyFile(
    "/etc/ssl/certs/ca-certificates.crt",
    `${out}/etc/ssl/certs/ca-certificates.crt`,
  )
    .catch(() => {});
  await Deno.writeTextFile(
    `${out}/etc/passwd`,
    "root:x:0:0::/:/sbin/nologin\nlhttp:x:65534:65534::/tmp:/sbin/nologin\n",
  );
  await Deno.writeTextFile(`${out}/etc/group`, "root:x:0:\nlhttp:x:65534:\n");
  const bundle = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform=deno", "-o", `${out}/app/lhttp.mjs`, "src/cli/main.ts"],
    cwd: ROOT,
    stderr: "piped",
  }).output();
  if (!bundle.success) {
    throw new Error(`deno bundle failed: ${new TextDecoder().decode(bundle.stderr)}`);
  }
  let bytes = 0;
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile) bytes += (await Deno.stat(path)).size;
    }
  };
  await walk(out);
  return bytes;
}

if (import.meta.main) {
  const out = Deno.args[0] ?? `${ROOT}container/rootfs`;
  const bytes = await buildRootfs(out);
  console.log(`${out}: ${(bytes / 1048576).toFixed(1)} MiB`);
}
