import { GroupAssignment } from './group-assignment';

describe('GroupAssignment', () => {
  it('counts generations and reports the partitions lost at each join', () => {
    const group = new GroupAssignment();
    expect(group.join({ t: [0, 1, 2] })).toEqual([]);
    expect(group.epoch).toBe(1);
    expect(group.join({ t: [0, 2] })).toEqual([{ topic: 't', partition: 1 }]);
    expect(group.epoch).toBe(2);
    expect(group.owns('t|1')).toBe(false);
    expect(group.owns('t|2')).toBe(true);
  });

  it('lets work be committed only while its partition was owned without a break', () => {
    const group = new GroupAssignment();
    group.join({ 'a.b': [0, 1] });
    group.join({ 'a.b': [0] });
    group.join({ 'a.b': [0, 1] });
    // Partition 0 was kept all along: work from generation 1 still counts.
    expect(group.ownedThroughout('a.b|0', 1)).toBe(true);
    // Partition 1 was lost in generation 2 and came back in 3: older work must not be committed.
    expect(group.ownedThroughout('a.b|1', 1)).toBe(false);
    expect(group.ownedThroughout('a.b|1', 3)).toBe(true);
    expect(group.ownedThroughout('a.b|9', 3)).toBe(false);
  });
});
