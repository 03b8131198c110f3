import type { Plugin } from 'vite';

/** One third-party package the app ships, with its license. */
export interface ThirdPartyLicense {
  name: string;
  version: string;
  /** The package's license field (an SPDX expression, usually). */
  license: string;
  /** Its license file(s), or null when it ships none. */
  text: string | null;
}
export function collectLicenses(rootDir?: string): ThirdPartyLicense[];
export function licensesText(list: readonly ThirdPartyLicense[]): string;
export const LICENSES_FILE: string;
export function thirdPartyLicenses(rootDir?: string): Plugin;
