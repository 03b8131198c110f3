/**
 * An external push service (a scenario's `url`) is shown as such: the model keeps the
 * `external` of its `service.started`, and its topology node says "external <url>".
 */
import { ReactFlowProvider, type NodeProps } from '@xyflow/react';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { buildTopology, serviceNodeId } from '../../../src/renderer/src/features/topology/graph';
import type { TopoFlowNode } from '../../../src/renderer/src/features/topology/flow';
import { TopologyNode } from '../../../src/renderer/src/features/topology/TopologyNode';
import { createLabStore, LabProvider } from '../../../src/renderer/src/store';
import { fakeFrames, idleClient, modelAfter, stamp } from './fixtures';

const started = (external: boolean) =>
  modelAfter(
    stamp(1, [
      {
        kind: 'service.started',
        serviceId: 'mine',
        url: 'https://push.example:8443/',
        profile: 'rfc8030',
        ...(external ? { external: true as const } : {}),
      },
    ]),
  );

function renderNode(external: boolean): string {
  const store = createLabStore(idleClient(), { schedule: fakeFrames().schedule });
  const model = started(external);
  store.setState((s) => ({ ...s, model }));
  store.getInitialState = store.getState;
  const node = buildTopology(model.services, model.agents).nodes.find(
    (n) => n.id === serviceNodeId('mine'),
  )!;
  const props = { id: node.id, data: { node } } as unknown as NodeProps<TopoFlowNode>;
  return renderToStaticMarkup(
    createElement(LabProvider, {
      store,
      children: createElement(ReactFlowProvider, null, createElement(TopologyNode, props)),
    }),
  );
}

describe('an external service in the model and the topology', () => {
  it('the model keeps whether a service is external', () => {
    expect(started(true).services.get('mine')?.external).toBe(true);
    expect(started(false).services.get('mine')?.external).toBeUndefined();
  });

  it('its node carries an "external <url>" badge; a lab service has none', () => {
    expect(renderNode(true)).toContain('external https://push.example:8443/');
    expect(renderNode(false)).not.toContain('topology-external');
  });
});
