/** The build's list of shipped third-party packages (scripts/licenses.mjs makes it). */
declare module 'virtual:third-party-licenses' {
  const list: readonly {
    name: string;
    version: string;
    license: string;
    text: string | null;
  }[];
  export default list;
}
