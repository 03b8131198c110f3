/** The Links view (being built). */
export function LinksView() {
  return <section data-testid="view-links">Links</section>;
}
