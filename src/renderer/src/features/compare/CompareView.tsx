/** The Compare view (being built). */
export function CompareView() {
  return <section data-testid="view-compare">Compare</section>;
}
