package dev.kura.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** The objects uploaded before the measured phase (get, mixed, list); read-only once built. */
final class Prepared {
    record Obj(String key, long size) {
    }

    private final List<Obj> objects;

    Prepared(List<Obj> objects) {
        this.objects = List.copyOf(objects);
    }

    static Prepared none() {
        return new Prepared(List.of());
    }

    int size() {
        return objects.size();
    }

    Obj pick(SplittableRandom random) {
        return objects.get(random.nextInt(objects.size()));
    }

    /** Worker {@code id}'s own share, as a list the worker may change. */
    List<Obj> ownedBy(int id, int workers) {
        List<Obj> mine = new ArrayList<>();
        for (int i = id; i < objects.size(); i += workers) {
            mine.add(objects.get(i));
        }
        return mine;
    }
}
