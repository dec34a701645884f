// Finds the roster binary: ROSTER_BIN when set, otherwise the one in the
// platform package npm installed for this machine (an optionalDependency of
// roster-server whose `os` and `cpu` fields match; npm skips the others).
import { accessSync, chmodSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The platform packages, by `${process.platform}-${process.arch}`. */
export const PLATFORMS = {
  'linux-x64': 'roster-server-linux-x64',
  'linux-arm64': 'roster-server-linux-arm64',
  'darwin-x64': 'roster-server-darwin-x64',
  'darwin-arm64': 'roster-server-darwin-arm64',
};

export function platformPackage(platform = process.platform, arch = process.arch) {
  return PLATFORMS[`${platform}-${arch}`];
}

export function binaryPath() {
  if (process.env.ROSTER_BIN) return process.env.ROSTER_BIN;
  const key = `${process.platform}-${process.arch}`;
  const pkg = PLATFORMS[key];
  if (!pkg) {
    throw new Error(
      `roster-server: no roster binary is published for ${key} (there are: ${Object.keys(PLATFORMS).join(', ')}); ` +
        'build roster from source and set ROSTER_BIN to its path',
    );
  }
  let dir;
  try {
    dir = dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new Error(
      `roster-server: the package ${pkg}, which holds the roster binary for ${key}, is not installed. ` +
        'npm installs it as an optional dependency of roster-server; it is left out when optional ' +
        'dependencies are omitted (--omit=optional, --no-optional) or the lockfile was made on another ' +
        `platform. Install it (npm install ${pkg}) or set ROSTER_BIN to a roster binary.`,
    );
  }
  const bin = join(dir, 'bin', 'roster');
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    // Some package managers or archive tools drop the executable bit.
    try {
      chmodSync(bin, statSync(bin).mode | 0o755);
    } catch {
      // spawn reports the real problem
    }
  }
  return bin;
}
