/** The Scenario view (being built). */
export function ScenarioView() {
  return <section data-testid="view-scenario">Scenario</section>;
}
