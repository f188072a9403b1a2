// Test certificates for the C SDK's TLS tests, made with the openssl CLI in a
// temporary directory: a CA, and EC P-256 server certificates signed by it
// for "localhost" (valid), for "wrong.example" (valid, wrong name), for
// "localhost" but expired (January 2024), a self-signed "localhost"
// certificate from no known CA, and the good certificate followed by 60 copies
// of the CA (a chain of about 30 KB, more than one TLS record).

export interface TestCerts {
  dir: string;
  /** The CA the C client trusts (PEM file). */
  ca: string;
  good: { cert: string; key: string };
  wrongHost: { cert: string; key: string };
  expired: { cert: string; key: string };
  selfSigned: { cert: string; key: string };
  oversized: { cert: string; key: string };
}

async function openssl(dir: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", {
    args,
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `openssl ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

/** Makes the certificates in a new temporary directory (remove `dir` when done). */
export async function makeCerts(): Promise<TestCerts> {
  const dir = await Deno.makeTempDir({ prefix: "lhttp_c_tls_" });
  const at = (name: string) => `${dir}/${name}`;
  await openssl(
    dir,
    "req",
    "-x509",
    ...EC,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "30",
    "-subj",
    "/CN=lhttp test CA",
  );
  await Deno.mkdir(at("db"));
  await Deno.writeTextFile(at("db/index.txt"), "");
  await Deno.writeTextFile(at("db/serial"), "1000\n");
  await Deno.writeTextFile(
    at("ca.cnf"),
    [
      "[ca]",
      "default_ca = d",
      "[d]",
      "database = db/index.txt",
      "new_certs_dir = db",
      "serial = db/serial",
      "default_md = sha256",
      "policy = p",
      "unique_subject = no",
      "[p]",
      "commonName = supplied",
      "[localhost]",
      "subjectAltName = DNS:localhost",
      "[wrong]",
      "subjectAltName = DNS:wrong.example",
      "",
    ].join("\n"),
  );
  const leaf = async (name: string, cn: string, ext: string, dates: string[]) => {
    await openssl(dir, "req", ...EC, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`);
    await openssl(
      dir,
      "ca",
      "-batch",
      "-config",
      "ca.cnf",
      "-cert",
      "ca.pem",
      "-keyfile",
      "ca.key",
      "-in",
      `${name}.csr`,
      "-out",
      `${name}.pem`,
      "-extensions",
      ext,
      "-notext",
      ...dates,
    );
    return { cert: at(`${name}.pem`), key: at(`${name}.key`) };
  };
  const good = await leaf("good", "localhost", "localhost", ["-days", "30"]);
  const wrongHost = await leaf("wrong", "wrong.example", "wrong", ["-days", "30"]);
  const expired = await leaf("expired", "localhost", "localhost", [
    "-startdate",
    "20240101000000Z",
    "-enddate",
    "20240201000000Z",
  ]);
  await openssl(
    dir,
    "req",
    "-x509",
    ...EC,
    "-keyout",
    "self.key",
    "-out",
    "self.pem",
    "-days",
    "30",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost",
  );
  const caPem = await Deno.readTextFile(at("ca.pem"));
  await Deno.writeTextFile(
    at("oversized.pem"),
    (await Deno.readTextFile(good.cert)) + caPem.repeat(60),
  );
  return {
    dir,
    oversized: { cert: at("oversized.pem"), key: good.key },
    ca: at("ca.pem"),
    good,
    wrongHost,
    expired,
    selfSigned: { cert: at("self.pem"), key: at("self.key") },
  };
}
