/**
 * Catches what one view throws while rendering, so a fault in one view is a sentence in its
 * place — which view, what went wrong — not a blank window: the header, the run controls,
 * the timeline and the other views go on working. App keys it by view, so opening another
 * view (or this one again) tries afresh.
 */
import { Component, type ReactNode } from 'react';

interface Props {
  /** The view's label, for the sentence. */
  label: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

export class ViewBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown): void {
    // The devtools console (and an e2e test's page listener) keeps the stack.
    console.error(`The ${this.props.label} view failed:`, error);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (error === null) return this.props.children;
    return (
      <main className="view-failed" role="alert" data-testid="view-failed">
        <h2>The {this.props.label} view failed</h2>
        <p>
          <code>{error.message || error.name}</code>
        </p>
        <p className="muted">The lab goes on running and the other views work.</p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Retry
        </button>
      </main>
    );
  }
}
