// The one graph model: relations that must hold on every graph, checked on generated ones.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { DesignGraph, type GraphEdge } from '../../../src/core/graph/DesignGraph';
import { emptyDesign } from '../../../src/core/design';

/** A random DAG: edges only go from a lower to a higher rank, ranks shuffled against declared order. */
const dagArbitrary = fc
  .integer({ min: 1, max: 30 })
  .chain((n) =>
    fc.record({
      n: fc.constant(n),
      rank: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
      pairs: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 3 * n }),
    }),
  )
  .map(({ n, rank, pairs }) => {
    const ids = [...Array(n).keys()].map((i) => `n${i}`);
    // Node i sits at rank rank[i]; an edge goes from the lower rank to the higher one.
    const edges: GraphEdge[] = pairs.filter(([a, b]) => a !== b).map(([a, b]) => (rank[a] < rank[b] ? { source: ids[a], target: ids[b] } : { source: ids[b], target: ids[a] }));
    return { ids, edges };
  });

describe('DesignGraph', () => {
  it('orders every node of a DAG after all of its inputs, and leaves none out', () => {
    fc.assert(
      fc.property(dagArbitrary, ({ ids, edges }) => {
        const graph = DesignGraph.of(ids, edges);
        assert.equal(graph.order.length, ids.length);
        assert.deepEqual([...graph.order].sort(), [...ids].sort());
        assert.deepEqual(graph.cyclic, []);
        assert.deepEqual(graph.findCycle(), []);
        const at = new Map(graph.order.map((id, i) => [id, i]));
        for (const e of edges) assert.ok(at.get(e.source)! < at.get(e.target)!, `${e.source} → ${e.target} goes backwards in ${graph.order.join(' ')}`);
        const depthFirst = graph.depthFirstOrder();
        assert.equal(depthFirst.length, ids.length);
        const dfAt = new Map(depthFirst.map((id, i) => [id, i]));
        for (const e of edges) assert.ok(dfAt.get(e.source)! < dfAt.get(e.target)!, `${e.source} → ${e.target} goes backwards in the depth-first order`);
      }),
      { numRuns: 500 },
    );
  });

  it('has consumers and inputs that are inverse of each other, inputs in declared order, each pair once', () => {
    fc.assert(
      fc.property(dagArbitrary, ({ ids, edges }) => {
        const graph = DesignGraph.of(ids, edges);
        const pairs = new Set<string>();
        for (const id of ids) {
          for (const source of graph.inputs(id)) {
            assert.ok(graph.consumers(source).includes(id), `${source} feeds ${id} but does not list it as a consumer`);
            pairs.add(`${source}>${id}`);
          }
          for (const target of graph.consumers(id)) assert.ok(graph.inputs(target).includes(id));
          assert.equal(graph.arity(id), graph.inputs(id).length);
          assert.equal(new Set(graph.inputs(id)).size, graph.inputs(id).length, `${id} lists an input twice`);
          // Declared order: the first declaration of each pair, in edge order.
          const declared = [...new Set(edges.filter((e) => e.target === id).map((e) => e.source))];
          assert.deepEqual(graph.inputs(id), declared);
        }
        assert.equal(pairs.size, new Set(edges.map((e) => `${e.source}>${e.target}`)).size);
        assert.equal(graph.edges.length + graph.duplicateEdges.length, edges.length);
        // Default inputs and outputs: the nodes without inputs, and the ordered ones nothing reads.
        assert.deepEqual(graph.inputIds, ids.filter((id) => graph.arity(id) === 0));
        assert.deepEqual(graph.outputIds, graph.order.filter((id) => graph.consumers(id).length === 0 && graph.arity(id) > 0));
      }),
      { numRuns: 500 },
    );
  });

  it('detects a cycle closed anywhere in a DAG, and returns one that follows real connections', () => {
    fc.assert(
      fc.property(dagArbitrary, fc.nat(), fc.nat(), ({ ids, edges }, a, b) => {
        const graph = DesignGraph.of(ids, edges);
        const order = graph.order;
        if (order.length < 2) return;
        // Connecting a later node back to an earlier one it is reachable from closes a cycle.
        const from = order[a % order.length];
        const reachable = new Set<string>([from]);
        for (const id of order) if (reachable.has(id)) for (const t of graph.consumers(id)) reachable.add(t);
        const later = [...reachable].filter((id) => id !== from);
        if (later.length === 0) return;
        const to = later[b % later.length];
        const cyclic = DesignGraph.of(ids, [...edges, { source: to, target: from }]);
        assert.ok(!cyclic.acyclic);
        assert.ok(cyclic.cyclic.includes(from) && cyclic.cyclic.includes(to));
        assert.equal(cyclic.order.length + cyclic.cyclic.length, ids.length);
        const cycle = cyclic.findCycle();
        assert.ok(cycle.length >= 2);
        const connected = new Set([...edges, { source: to, target: from }].map((e) => `${e.source}>${e.target}`));
        cycle.forEach((id, i) => assert.ok(connected.has(`${id}>${cycle[(i + 1) % cycle.length]}`), `${id} → ${cycle[(i + 1) % cycle.length]} is not a connection`));
      }),
      { numRuns: 500 },
    );
  });

  it('sets aside connections to unknown nodes and repeated ones, with their declared index', () => {
    const graph = DesignGraph.of(
      ['a', 'b', 'c'],
      [
        { source: 'a', target: 'b' },
        { source: 'a', target: 'ghost' },
        { source: 'a', target: 'b' },
        { source: 'b', target: 'c' },
      ],
    );
    assert.deepEqual(
      graph.danglingEdges.map((d) => [d.edge.index, d.missing]),
      [[1, ['ghost']]],
    );
    assert.deepEqual(
      graph.duplicateEdges.map((e) => e.index),
      [2],
    );
    assert.deepEqual(graph.order, ['a', 'b', 'c']);
    assert.ok(graph.isChain);
  });

  it('takes a design\'s Input layers as its inputs, even unconnected, and leaves them out of the outputs', () => {
    const design = emptyDesign();
    design.nodes.push(
      { id: 'image', type: 'Input', params: { shape: [8, 8, 1] } },
      { id: 'spare', type: 'Input', params: { shape: [4] } },
      { id: 'flat', type: 'Flatten', params: {} },
      { id: 'a', type: 'Dense', params: { units: 2 } },
      { id: 'b', type: 'Dense', params: { units: 3 } },
    );
    design.edges.push({ source: 'image', target: 'flat' }, { source: 'flat', target: 'a' }, { source: 'flat', target: 'b' });
    const graph = DesignGraph.fromDesign(design);
    assert.deepEqual(graph.inputIds, ['image', 'spare']);
    assert.deepEqual(graph.outputIds, ['a', 'b']);
    assert.deepEqual(graph.consumers('flat'), ['a', 'b']);
    assert.ok(!graph.isChain);
  });
});
