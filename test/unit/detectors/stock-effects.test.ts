import { stockEffects } from '../../../src/ingest/stock-effects';
import { event } from './support';

const fx = (e: Parameters<typeof event>[0]) => stockEffects(event({ sku: 'S1', location: 'A-01', qty: 5, ...e })).map(({ location, wmsDelta, erpDelta }) => [location, wmsDelta, erpDelta]);

describe('what an event does to the WMS and ERP views', () => {
  it.each([
    ['a receipt: WMS only, unless posted', { type: 'receipt' as const }, [['A-01', 5, 0]]],
    ['a posted receipt: both', { type: 'receipt' as const, attributes: { postedToErp: true } }, [['A-01', 5, 5]]],
    ['an ERP-sourced receipt: the ERP catching up', { type: 'receipt' as const, source: 'erp' }, [['A-01', 0, 5]]],
    ['a pick: WMS', { type: 'pick' as const }, [['A-01', -5, 0]]],
    ['an adjustment: both, signed', { type: 'adjustment' as const, qty: -3 }, [['A-01', -3, -3]]],
    ['a move to another bin: both views follow', { type: 'move' as const, attributes: { toLocation: 'B-01' } }, [['A-01', -5, -5], ['B-01', 5, 5]]],
    ['a putaway from the dock', { type: 'putaway' as const, attributes: { fromLocation: 'DOCK' } }, [['DOCK', -5, -5], ['A-01', 5, 5]]],
    ['a count: nothing', { type: 'count' as const }, []],
    ['a return received: WMS until its disposition', { type: 'return_received' as const }, [['A-01', 5, 0]]],
    ['a restocking disposition: the ERP gets it', { type: 'return_disposition' as const, attributes: { disposition: 'restock' } }, [['A-01', 0, 5]]],
    ['a scrapping disposition: the WMS loses it', { type: 'return_disposition' as const, attributes: { disposition: 'scrap' } }, [['A-01', -5, 0]]],
    ['a shipment: the ERP issues what was picked', { type: 'shipment' as const }, [['A-01', 0, -5]]],
  ])('%s', (_label, e, expected) => {
    expect(fx(e)).toEqual(expected);
  });
});
