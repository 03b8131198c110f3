/**
 * A view that throws while rendering is caught by its boundary: the sentence names the view
 * and the error, and Retry clears it. (Server rendering does not run error boundaries, so the
 * boundary's two halves are exercised directly: React calls exactly these.)
 */
import { createElement, Fragment, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { ViewBoundary } from '../../../src/renderer/src/features/ViewBoundary';

const charts: ReactNode = createElement('p', null, 'charts');

describe('ViewBoundary', () => {
  it('shows its view while nothing fails', () => {
    const html = renderToStaticMarkup(
      createElement(ViewBoundary, { label: 'Metrics', children: charts }),
    );
    expect(html).toBe('<p>charts</p>');
  });

  it('names the view and the error once one is caught, and Retry clears it', () => {
    const boundary = new ViewBoundary({ label: 'Metrics', children: charts });
    boundary.state = ViewBoundary.getDerivedStateFromError(new TypeError('x is undefined'));
    const html = renderToStaticMarkup(createElement(Fragment, null, boundary.render()));
    expect(html).toContain('data-testid="view-failed"');
    expect(html).toContain('The Metrics view failed');
    expect(html).toContain('x is undefined');

    const setState = vi.spyOn(boundary, 'setState').mockImplementation(() => undefined);
    const retry = (boundary.render() as { props: { children: { props: object }[] } }).props
      .children[3]!.props as { onClick(): void };
    retry.onClick();
    expect(setState).toHaveBeenCalledWith({ error: null });
  });

  it('turns a thrown non-Error into one', () => {
    expect(ViewBoundary.getDerivedStateFromError('boom').error?.message).toBe('boom');
  });
});
