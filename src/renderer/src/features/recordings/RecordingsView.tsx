/** The Recordings view (being built). */
export function RecordingsView() {
  return <section data-testid="view-recordings">Recordings</section>;
}
